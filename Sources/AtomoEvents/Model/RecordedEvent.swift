public import Foundation

/// An event as stored: the appended ``EventData`` plus where and when it landed.
///
/// Readers see events in their current shape: when upcasters are registered, ``type``,
/// ``schemaVersion`` and ``payload`` are the upcast values.
public struct RecordedEvent: Sendable, Hashable, Identifiable {
    /// The event's unique id.
    public var id: UUID
    /// The stream the event belongs to.
    public var stream: StreamName
    /// The event's version within its stream, counting from 0.
    public var streamVersion: Int64
    /// The event's place in the store's global order: strictly increasing, never reused, from 1.
    public var position: Int64
    /// The event type.
    public var type: String
    /// The payload's schema version.
    public var schemaVersion: Int
    /// The payload bytes.
    public var payload: Data
    /// Who, why and for which tenant.
    public var metadata: EventMetadata
    /// When the append that wrote the event committed (microsecond precision).
    public var committedAt: Date

    /// The type, schema version and payload as written, before any upcasting.
    var storedType: String
    var storedSchemaVersion: Int
    var storedPayload: Data

    /// Creates a recorded event. Stores call this; applications receive recorded events.
    public init(
        id: UUID, stream: StreamName, streamVersion: Int64, position: Int64, type: String, schemaVersion: Int,
        payload: Data, metadata: EventMetadata, committedAt: Date
    ) {
        self.id = id
        self.stream = stream
        self.streamVersion = streamVersion
        self.position = position
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
        self.metadata = metadata
        self.committedAt = committedAt
        self.storedType = type
        self.storedSchemaVersion = schemaVersion
        self.storedPayload = payload
    }

    /// Whether this event is a stored copy of `data` as it was appended.
    public func matches(_ data: EventData) -> Bool { data.isSameEvent(as: self) }
}
