public import AtomoProjection

/// Whether the engine's read models have caught up with the log, and how its projectors are doing:
/// what a readiness check (`/health`) needs, from ``ContentEngine/readModelHealth(settle:)``.
///
/// ```swift
/// let health = try await engine.readModelHealth()
/// if !health.isCaughtUp { print("behind:", health.behind, "parked:", health.parked) }
/// ```
public struct ReadModelHealth: Sendable, Hashable {
    /// The head of the log when the check began.
    public var head: Int64
    /// Each entity's live read model, in the schema's entity order, with its stored checkpoint.
    public var readModels: [ReadModelStatus]
    /// How many positions each entity's read model is behind `head` (only those behind).
    public var behind: [String: Int64]
    /// The projectors of the engine's ``ProjectionDaemon`` that are parked on a failing event.
    public var parked: [String]
    /// Every projector of the engine's ``ProjectionDaemon`` (``ProjectionDaemon/status()``).
    public var projectors: [ProjectionHealth]

    /// Every read model has applied the log up to `head`, and no projector is parked.
    public var isCaughtUp: Bool { behind.isEmpty && parked.isEmpty }

    /// Creates a health report.
    public init(
        head: Int64, readModels: [ReadModelStatus], behind: [String: Int64], parked: [String],
        projectors: [ProjectionHealth]
    ) {
        self.head = head
        self.readModels = readModels
        self.behind = behind
        self.parked = parked
        self.projectors = projectors
    }
}
