/// Which events a read of the global order returns. Unset parts match everything.
///
/// ```swift
/// let filter = EventFilter(eventTypes: ["ContactCreated", "ContactUpdated"], tenant: "acme")
/// let page = try await store.readAll(after: 0, limit: 500, filter: filter)
/// ```
public struct EventFilter: Sendable, Hashable {
    /// Only events of these types.
    public var eventTypes: Set<String>?
    /// Only events in streams of these categories.
    public var categories: Set<String>?
    /// Only events of this tenant. Events without a tenant never match a tenant-scoped filter.
    public var tenant: String?

    /// Creates a filter.
    public init(eventTypes: Set<String>? = nil, categories: Set<String>? = nil, tenant: String? = nil) {
        self.eventTypes = eventTypes
        self.categories = categories
        self.tenant = tenant
    }

    /// Every event.
    public static let all = EventFilter()

    /// Only events in streams of `category`.
    public static func category(_ category: String) -> EventFilter { EventFilter(categories: [category]) }

    /// Only events of `tenant`.
    public static func tenant(_ tenant: String) -> EventFilter { EventFilter(tenant: tenant) }

    /// Whether the filter matches everything.
    public var isEmpty: Bool { eventTypes == nil && categories == nil && tenant == nil }

    /// Whether `event` passes the filter. Filters on the stored type, as stores do.
    public func matches(_ event: RecordedEvent) -> Bool {
        if let eventTypes, !eventTypes.contains(event.storedType) { return false }
        if let categories, !categories.contains(String(event.stream.category)) { return false }
        if let tenant, event.metadata.tenant != tenant { return false }
        return true
    }
}

/// Where a stream read starts.
public enum StreamReadStart: Sendable, Hashable {
    /// The first event (version 0).
    case start
    /// The last event.
    case end
    /// The event with this version (reading includes it).
    case version(Int64)
}

/// The direction of a stream read.
public enum ReadDirection: Sendable, Hashable {
    /// Increasing versions.
    case forwards
    /// Decreasing versions.
    case backwards
}

/// A page of the global order: the matching events, and how far the log was scanned.
///
/// `scannedThrough` can be past the last event when a filter skipped events; continue with
/// `readAllPage(after: page.scannedThrough, …)` to resume without rescanning. Everything at or
/// below it is final: no event with a lower position can appear later.
public struct EventPage: Sendable, Hashable {
    /// The matching events, in position order.
    public var events: [RecordedEvent]
    /// The highest position the read looked at.
    public var scannedThrough: Int64

    /// Creates a page.
    public init(events: [RecordedEvent], scannedThrough: Int64) {
        self.events = events
        self.scannedThrough = scannedThrough
    }
}
