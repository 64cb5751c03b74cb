/// Which slice of an ordered list to return: cursor pages (stable under inserts) or offset pages.
///
/// Cursors are opaque strings from ``ContentRecord/cursor`` or ``RecordPage/endCursor``; they hold
/// the sort values and id of a record, so a page continues after that record even when records are
/// inserted before it. A cursor from another ordering throws ``ContentError/invalidCursor``.
///
/// ```swift
/// let first = try await engine.list(RecordQuery("Contact", page: .first(50)), as: principal)
/// let next = try await engine.list(RecordQuery("Contact", page: .first(50, after: first.endCursor)), as: principal)
/// ```
public enum PageRequest: Sendable, Hashable {
    /// The first `count` records after the cursor (from the start when nil).
    case first(Int, after: String? = nil)
    /// The last `count` records before the cursor (up to the end when nil), in list order.
    case last(Int, before: String? = nil)
    /// `limit` records after skipping `offset`.
    case offset(Int, limit: Int)
}
