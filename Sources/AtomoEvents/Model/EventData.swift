public import Foundation

/// An event to append: its id, type, schema version, payload and metadata.
///
/// The id makes appends idempotent: appending an id that is already stored returns the original
/// result instead of writing a duplicate, so a client may safely retry. By default ids are
/// time-ordered UUIDs (version 7), which keep the store's unique index compact and fast.
///
/// ```swift
/// let event = EventData(type: "ContactCreated", payload: Data(#"{"name":"Ada"}"#.utf8),
///                       metadata: EventMetadata(actor: "user-7"))
/// ```
public struct EventData: Sendable, Hashable {
    /// The event's unique id.
    public var id: UUID
    /// The event type, e.g. `ContactCreated`.
    public var type: String
    /// The version of the payload's shape for this type, starting at 1; upcasters lift old versions.
    public var schemaVersion: Int
    /// The payload bytes (JSON by default).
    public var payload: Data
    /// Who, why and for which tenant.
    public var metadata: EventMetadata

    /// Creates an event. Without an `id`, a new time-ordered UUID (v7) is used.
    public init(
        id: UUID = UUID.timeOrdered(), type: String, schemaVersion: Int = 1, payload: Data,
        metadata: EventMetadata = .none
    ) {
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
        self.metadata = metadata
    }

    /// The bytes the event takes against the store's size limit: payload, type and metadata.
    public var byteCount: Int { payload.count + type.utf8.count + metadata.byteCount }

    /// Whether `recorded` holds exactly this event (used to recognise a retried append).
    public func isSameEvent(as recorded: RecordedEvent) -> Bool {
        recorded.id == id && recorded.storedType == type && recorded.storedSchemaVersion == schemaVersion
            && recorded.storedPayload == payload && recorded.metadata == metadata
    }
}
