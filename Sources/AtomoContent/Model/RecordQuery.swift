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
    /// Reference fields whose records to read with the page (`["company"]` for contacts): one
    /// more query per field, in the same read transaction as the page — one snapshot, one trip
    /// to a reader — delivered in ``RecordPage/references``.
    public var includeReferences: [String]
    /// Whether every record of the page gets its ``ContentRecord/cursor``. When false only the
    /// first and last do (the page's ``RecordPage/startCursor`` and ``RecordPage/endCursor``):
    /// for callers that never page from a record in the middle, which saves encoding one cursor
    /// per record.
    public var includeRecordCursors: Bool

    /// Creates a query; by default the first 50 records by id.
    public init(
        _ entity: String, filter: RecordFilter? = nil, orderBy: [SortKey] = [], page: PageRequest = .first(50),
        includeTotalCount: Bool = false, includeDeleted: Bool = false, includeReferences: [String] = [],
        includeRecordCursors: Bool = true
    ) {
        self.includeReferences = includeReferences
        self.includeRecordCursors = includeRecordCursors
        self.entity = entity
        self.filter = filter
        self.orderBy = orderBy
        self.page = page
        self.includeTotalCount = includeTotalCount
        self.includeDeleted = includeDeleted
    }
}
