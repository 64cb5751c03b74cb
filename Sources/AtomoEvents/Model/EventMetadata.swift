/// Who caused an event, why, and for which tenant; stored with the event, never in its payload.
///
/// ```swift
/// let metadata = EventMetadata(correlationID: request.id, actor: "user-7", tenant: "acme",
///                              custom: ["ip": "203.0.113.9"])
/// ```
public struct EventMetadata: Sendable, Hashable, Codable {
    /// Groups every event caused by one original request.
    public var correlationID: String?
    /// The id of the message (event or command) that directly caused this event.
    public var causationID: String?
    /// Who acted: a user id, a service name.
    public var actor: String?
    /// The tenant the event belongs to. Tenant-scoped reads return only that tenant's events.
    public var tenant: String?
    /// Free-form string pairs.
    public var custom: [String: String]

    /// Creates metadata; every part is optional.
    public init(
        correlationID: String? = nil, causationID: String? = nil, actor: String? = nil, tenant: String? = nil,
        custom: [String: String] = [:]
    ) {
        self.correlationID = correlationID
        self.causationID = causationID
        self.actor = actor
        self.tenant = tenant
        self.custom = custom
    }

    /// No metadata at all.
    public static let none = EventMetadata()

    /// The number of bytes the metadata's strings take, for the size limit.
    var byteCount: Int {
        var count = (correlationID?.utf8.count ?? 0) + (causationID?.utf8.count ?? 0)
        count += (actor?.utf8.count ?? 0) + (tenant?.utf8.count ?? 0)
        for (key, value) in custom { count += key.utf8.count + value.utf8.count }
        return count
    }
}
