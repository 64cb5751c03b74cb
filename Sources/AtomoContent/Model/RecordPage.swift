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

    /// Creates a page.
    public init(
        records: [ContentRecord], totalCount: Int?, hasNextPage: Bool, hasPreviousPage: Bool, startCursor: String?,
        endCursor: String?
    ) {
        self.records = records
        self.totalCount = totalCount
        self.hasNextPage = hasNextPage
        self.hasPreviousPage = hasPreviousPage
        self.startCursor = startCursor
        self.endCursor = endCursor
    }
}
