/// Where projectors' checkpoints live: for each projector name, the last global position it has
/// fully applied (0 before the first event).
///
/// ``InMemoryCheckpointStore`` is for tests and for projectors whose read model is itself in
/// memory; ``SQLCheckpointStore`` keeps checkpoints in a SQL database (SQLite here, PostgreSQL
/// through AtomoPostgres), where ``SQLProjector``s also save them in their own transactions.
///
/// ```swift
/// let checkpoints = InMemoryCheckpointStore()
/// try await checkpoints.save("search-index", position: 420)
/// try await checkpoints.load("search-index")   // 420
/// ```
public protocol CheckpointStore: Sendable {
    /// The checkpoint of `name`: 0 when none is stored.
    func load(_ name: String) async throws -> Int64

    /// Stores `position` as the checkpoint of `name`.
    func save(_ name: String, position: Int64) async throws

    /// Records an event that the runner skipped under ``ProjectionErrorPolicy/Exhausted/skip``,
    /// so that it can be inspected and replayed later.
    func recordSkipped(_ event: SkippedEvent) async throws

    /// The events skipped by `name`, in position order.
    func skippedEvents(_ name: String) async throws -> [SkippedEvent]
}
