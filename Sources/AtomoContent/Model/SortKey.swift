/// One key of a list's ordering: a field and a direction.
///
/// Lists always end their ordering with the record id, so every order is total and cursors are
/// stable. Nulls sort before every value (first ascending, last descending).
///
/// ```swift
/// let order = [SortKey("stage"), SortKey("createdAt", .descending)]
/// ```
public struct SortKey: Sendable, Hashable {
    /// A direction.
    public enum Direction: String, Sendable, Hashable, CaseIterable {
        /// Smallest first.
        case ascending
        /// Largest first.
        case descending
    }

    /// The field: a declared scalar field or a system field.
    public var field: String
    /// The direction.
    public var direction: Direction

    /// Creates a sort key, ascending by default.
    public init(_ field: String, _ direction: Direction = .ascending) {
        self.field = field
        self.direction = direction
    }
}
