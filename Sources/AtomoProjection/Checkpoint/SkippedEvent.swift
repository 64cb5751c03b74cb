public import Foundation

/// An event that a projector failed on and that the runner skipped, as its
/// ``ProjectionErrorPolicy`` asked. Nothing is skipped silently: each one is recorded with the
/// error, in the ``CheckpointStore`` and in the runner's ``ProjectionHealth``.
public struct SkippedEvent: Sendable, Hashable {
    /// The projector's name.
    public var projector: String
    /// The event's global position.
    public var position: Int64
    /// The event's id.
    public var eventID: UUID
    /// The event's type.
    public var eventType: String
    /// The last error the handler threw.
    public var error: String
    /// When the runner gave up on it.
    public var skippedAt: Date

    /// Creates a record.
    public init(projector: String, position: Int64, eventID: UUID, eventType: String, error: String, skippedAt: Date) {
        self.projector = projector
        self.position = position
        self.eventID = eventID
        self.eventType = eventType
        self.error = error
        self.skippedAt = skippedAt
    }
}
