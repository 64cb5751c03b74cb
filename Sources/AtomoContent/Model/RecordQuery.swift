/// A list query: an entity, a filter, an ordering, a page.
///
/// ```swift
/// let query = RecordQuery(
///     "Contact", filter: .field("stage", .eq("Lead")), orderBy: [SortKey("createdAt", .descending)],
///     page: .first(50), includeTotalCount: true)
/// let page = try await engine.list(query, as: principal)
/// ```
public struct RecordQuery: Sendable, Hashable {
    /// The entity's name.
    public var entity: String
    /// The filter; nil matches every record.
    public var filter: RecordFilter?
    /// The ordering; the record id is always added last. Empty orders by id.
    public var orderBy: [SortKey]
    /// The page.
    public var page: PageRequest
    /// Whether to count every matching record (one more query).
    public var includeTotalCount: Bool
    /// Whether deleted records are listed too (their ``ContentRecord/isDeleted`` is true).
    public var includeDeleted: Bool

    /// Creates a query; by default the first 50 records by id.
    public init(
        _ entity: String, filter: RecordFilter? = nil, orderBy: [SortKey] = [], page: PageRequest = .first(50),
        includeTotalCount: Bool = false, includeDeleted: Bool = false
    ) {
        self.entity = entity
        self.filter = filter
        self.orderBy = orderBy
        self.page = page
        self.includeTotalCount = includeTotalCount
        self.includeDeleted = includeDeleted
    }
}
