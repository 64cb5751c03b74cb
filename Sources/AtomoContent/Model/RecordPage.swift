/// One page of a list, with what a GraphQL connection needs.
public struct RecordPage: Sendable, Hashable {
    /// The records, in list order, each with its ``ContentRecord/cursor``.
    public var records: [ContentRecord]
    /// How many records match the filter, when the query asked for it.
    public var totalCount: Int?
    /// Whether records follow this page.
    public var hasNextPage: Bool
    /// Whether records precede this page.
    public var hasPreviousPage: Bool
    /// The first record's cursor.
    public var startCursor: String?
    /// The last record's cursor.
    public var endCursor: String?
    /// For each reference field in ``RecordQuery/includeReferences``: the live records that the
    /// page's records point to with it, by id, as the principal may read them. A record whose
    /// reference field the principal may not read contributes nothing.
    public var references: [String: [String: ContentRecord]]

    /// Creates a page.
    public init(
        records: [ContentRecord], totalCount: Int?, hasNextPage: Bool, hasPreviousPage: Bool, startCursor: String?,
        endCursor: String?, references: [String: [String: ContentRecord]] = [:]
    ) {
        self.references = references
        self.records = records
        self.totalCount = totalCount
        self.hasNextPage = hasNextPage
        self.hasPreviousPage = hasPreviousPage
        self.startCursor = startCursor
        self.endCursor = endCursor
    }
}
