/// What a DSL access rule can name: `role`, `user` and `record`, as in `schema.ts`'s `{ role, user, record }`.
///
/// ```swift
/// Update { scope in scope.role == "Admin" || scope.record.owner == scope.user.id }
/// ```
public struct AccessScope: Sendable {
    /// The role being evaluated.
    public let role = AccessTerm(.path(["role"]))
    /// The user: `.id`, `.email`, `.roles`, `.tenant`.
    public let user = AccessTerm(.path(["user"]))
    /// The record: its fields by name (`.owner`), and system fields (`.id`, `.createdBy`).
    public let record = AccessTerm(.path(["record"]))

    /// The scope rules are written against.
    public init() {}
}
