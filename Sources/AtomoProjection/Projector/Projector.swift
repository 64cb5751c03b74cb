public import AtomoEvents

/// A read model fed by the event log, for targets outside the event store's database (memory, a
/// search index, another service): delivery is **at-least-once**.
///
/// A ``ProjectionRunner`` calls ``apply(_:)`` with batches of events in position order and saves
/// the checkpoint in a ``CheckpointStore`` after each batch. A crash between the two means the
/// batch is delivered again, so handlers de-duplicate by ``RecordedEvent/position``: remember the
/// highest position applied and ignore events at or below it. When the read model lives in a SQL
/// database, use ``SQLProjector`` instead and get exactly-once effects.
///
/// ```swift
/// final class TotalsProjector: Projector {
///     let name = "order-totals"
///     let eventTypes: Set<String>? = ["OrderPlaced"]
///     let totals = Mutex<(through: Int64, sum: Int)>((0, 0))
///     func apply(_ events: [RecordedEvent]) async throws {
///         totals.withLock { state in
///             for event in events where event.position > state.through {
///                 state.sum += try decodeTotal(event.payload)
///                 state.through = event.position
///             }
///         }
///     }
/// }
/// ```
public protocol Projector: Sendable {
    /// A stable name: the key of the projector's checkpoint. Renaming it replays from zero.
    var name: String { get }

    /// The event types the projector handles, or nil for every event. The runner reads only these
    /// (filtered in the store) and still advances the checkpoint past the others.
    var eventTypes: Set<String>? { get }

    /// Applies a batch of events, in position order. Throwing retries the batch according to the
    /// runner's ``ProjectionErrorPolicy``.
    func apply(_ events: [RecordedEvent]) async throws

    /// Empties the read model, for ``ProjectionRunner/rebuild()``. The default throws
    /// ``ProjectionError/invalidConfiguration(_:)``: a projector that cannot be emptied cannot be
    /// replayed without counting events twice.
    func reset() async throws
}

extension Projector {
    /// Every event type.
    public var eventTypes: Set<String>? { nil }

    /// Throws: this projector does not support rebuilds.
    public func reset() async throws {
        throw ProjectionError.invalidConfiguration(
            "projector \(name) does not implement reset(), so it cannot be rebuilt")
    }
}
