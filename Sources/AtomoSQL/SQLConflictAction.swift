/// What an upsert does when the row it inserts collides with an existing one on the conflict
/// columns; see ``SQLDialect/upsert(into:columns:conflict:action:)``.
///
/// ```swift
/// let sql = SQLDialect.sqlite.upsert(
///     into: try SQLIdentifier("counters"), columns: [try SQLIdentifier("name"), try SQLIdentifier("value")],
///     conflict: [try SQLIdentifier("name")], action: .update([try SQLIdentifier("value")]))
/// // INSERT INTO "counters" ("name", "value") VALUES (?1, ?2)
/// //     ON CONFLICT ("name") DO UPDATE SET "value" = excluded."value"
/// ```
public enum SQLConflictAction: Sendable, Hashable {
    /// Keep the existing row; the statement changes nothing.
    case doNothing
    /// Set each listed column of the existing row to the value the statement tried to insert
    /// (an empty list is ``doNothing``).
    case update([SQLIdentifier])
    /// Update the existing row with this `SET` list, which may read the existing row through the
    /// table's name and the rejected row through `excluded` (for example
    /// `"value" = "counters"."value" + excluded."value"`). It is SQL written by the program, never by a user.
    case updateSet(String)
}

extension SQLDialect {
    /// `INSERT INTO table (columns…) VALUES (placeholders 1…n) ON CONFLICT (conflict…) DO …`: inserts
    /// one row, bound to the placeholders in column order, or resolves a collision on `conflict`
    /// (which must be a primary key or a unique index) as `action` says. Both SQLite (3.24+) and
    /// PostgreSQL (9.5+) run the same statement; only the placeholders differ. Run it once per row
    /// with ``SQLConnection/executeMany(_:_:)`` to upsert many.
    public func upsert(
        into table: SQLIdentifier, columns: [SQLIdentifier], conflict: [SQLIdentifier], action: SQLConflictAction
    ) -> String {
        let names = columns.map(\.quoted).joined(separator: ", ")
        let values = columns.indices.map { placeholder($0 + 1) }.joined(separator: ", ")
        let target = conflict.map(\.quoted).joined(separator: ", ")
        var sql = "INSERT INTO \(table.quoted) (\(names)) VALUES (\(values)) ON CONFLICT (\(target)) DO "
        switch action {
        case .doNothing:
            sql += "NOTHING"
        case .update(let updated) where updated.isEmpty:
            sql += "NOTHING"
        case .update(let updated):
            sql += "UPDATE SET " + updated.map { "\($0.quoted) = excluded.\($0.quoted)" }.joined(separator: ", ")
        case .updateSet(let assignments):
            sql += "UPDATE SET " + assignments
        }
        return sql
    }
}
