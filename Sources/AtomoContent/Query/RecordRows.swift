import AtomoSchema
import AtomoSQL
import Foundation

/// Reading records out of read-model rows.
enum RecordRows {
    /// What record queries select: every column, read back by name.
    ///
    /// By name rather than by a column list, because a query planned with the schema of a moment ago
    /// may run just after a blue/green swap pointed the view at a table with other columns: it then
    /// reads what is there instead of failing on a column that no longer exists.
    static func selectList(_ entity: EntityModel) -> String { "*" }

    /// A record from a row selected with ``selectList(_:)`` (every field; the caller filters).
    static func record(_ row: SQLRow, entity: EntityModel) -> ContentRecord {
        var fields: [String: JSONValue] = [:]
        fields.reserveCapacity(entity.columns.count)
        var index: [String: Int] = [:]
        for (offset, name) in row.columns.enumerated() { index[name] = offset }
        func value(_ name: String) -> SQLValue { index[name].map { row.values[$0] } ?? .null }
        for column in entity.columns {
            fields[column.name] = ReadModelTable.jsonValue(value(column.column.name), column: column)
        }
        return ContentRecord(
            entity: entity.name, id: value("id").text ?? "", version: value("_version").integer ?? 0, fields: fields,
            createdAt: ContentTime.date(microseconds: value("_created_at").integer ?? 0),
            updatedAt: ContentTime.date(microseconds: value("_updated_at").integer ?? 0), createdBy: value("_created_by").text,
            updatedBy: value("_updated_by").text, isDeleted: (value("_deleted").integer ?? 0) != 0)
    }
}
