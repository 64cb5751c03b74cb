/// An entity's access rules: which fields each role may read, and who may create, update and delete.
///
/// Each rule is an ``AccessExpression`` over `{ role, user, record }`. `read` yields the array of
/// readable field names (or `true` for every field, `false` for none); the others yield whether the
/// operation is allowed. A rule left out allows every role; an entity without an `EntityAccess`
/// allows every role everything. `id` is always readable when the record is, because references
/// and cursors need it. Restoring a deleted record is governed by the `delete` rule.
///
/// ```swift
/// EntityAccess(
///     read: .conditional(.equal(.path(["role"]), .literal("Viewer")),
///                        .literal(["id", "name"]), .literal(true)),
///     update: .or(.equal(.path(["role"]), .literal("Admin")), .equal(.path(["role"]), .literal("Manager"))))
/// ```
public struct EntityAccess: Sendable, Hashable, Codable {
    /// The fields a role may read: an array of names, or a boolean for all or none.
    public var read: AccessExpression?
    /// Whether a role may create records.
    public var create: AccessExpression?
    /// Whether a role may update the record.
    public var update: AccessExpression?
    /// Whether a role may delete (and restore) the record.
    public var delete: AccessExpression?

    /// Creates access rules; a rule left nil allows every role.
    public init(
        read: AccessExpression? = nil, create: AccessExpression? = nil, update: AccessExpression? = nil,
        delete: AccessExpression? = nil
    ) {
        self.read = read
        self.create = create
        self.update = update
        self.delete = delete
    }

    /// The rule for `operation` (restore uses `delete`), or nil when there is none.
    public func rule(for operation: AccessOperation) -> AccessExpression? {
        switch operation {
        case .read: read
        case .create: create
        case .update: update
        case .delete, .restore: delete
        }
    }
}

/// An operation on records that access rules govern.
public enum AccessOperation: String, Sendable, Hashable, Codable, CaseIterable {
    /// Reading records or fields.
    case read
    /// Creating a record.
    case create
    /// Changing a record's fields.
    case update
    /// Deleting a record.
    case delete
    /// Restoring a deleted record.
    case restore
}
