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
    public var type: String { willSet { keepStoredForm() } }
    /// The payload's schema version.
    public var schemaVersion: Int { willSet { keepStoredForm() } }
    /// The payload bytes.
    public var payload: Data { willSet { keepStoredForm() } }
    /// Who, why and for which tenant.
    public var metadata: EventMetadata
    /// When the append that wrote the event committed (microsecond precision).
    public var committedAt: Date

    /// The type, schema version and payload as written, kept once one of them changes (upcasting);
    /// nil while they are as stored, which is nearly always, so that reading an event does not
    /// pay for a second copy of each.
    private var original: StoredForm?

    /// The type as written, before any upcasting.
    var storedType: String { original?.type ?? type }
    /// The schema version as written, before any upcasting.
    var storedSchemaVersion: Int { original?.schemaVersion ?? schemaVersion }
    /// The payload as written, before any upcasting.
    var storedPayload: Data { original?.payload ?? payload }

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
    }

    /// Called before the type, schema version or payload changes: the first change keeps the
    /// stored values.
    private mutating func keepStoredForm() {
        if original == nil { original = StoredForm(type: type, schemaVersion: schemaVersion, payload: payload) }
    }

    /// Equal when every field and the stored form are.
    public static func == (lhs: RecordedEvent, rhs: RecordedEvent) -> Bool {
        lhs.id == rhs.id && lhs.stream == rhs.stream && lhs.streamVersion == rhs.streamVersion
            && lhs.position == rhs.position && lhs.type == rhs.type && lhs.schemaVersion == rhs.schemaVersion
            && lhs.payload == rhs.payload && lhs.metadata == rhs.metadata && lhs.committedAt == rhs.committedAt
            && lhs.storedType == rhs.storedType && lhs.storedSchemaVersion == rhs.storedSchemaVersion
            && lhs.storedPayload == rhs.storedPayload
    }

    /// Hashes every field and the stored form.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(stream)
        hasher.combine(streamVersion)
        hasher.combine(position)
        hasher.combine(type)
        hasher.combine(schemaVersion)
        hasher.combine(payload)
        hasher.combine(metadata)
        hasher.combine(committedAt)
        hasher.combine(storedType)
        hasher.combine(storedSchemaVersion)
        hasher.combine(storedPayload)
    }

    /// Whether this event is a stored copy of `data` as it was appended.
    public func matches(_ data: EventData) -> Bool { data.isSameEvent(as: self) }
}

/// A recorded event's type, schema version and payload as written (see `RecordedEvent.original`).
/// A class, so that the common case (nothing upcast) costs one nil pointer in each event.
private final class StoredForm: Sendable {
    let type: String
    let schemaVersion: Int
    let payload: Data

    init(type: String, schemaVersion: Int, payload: Data) {
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
    }
}
