import AtomoSchema
import AtomoSQL
import Foundation

/// Reading records out of read-model rows.
enum RecordRows {
    /// The columns every record query selects, in this order.
    static func selectList(_ entity: EntityModel) -> String {
        (EntityModel.systemColumns + entity.columns.map(\.column.quoted)).joined(separator: ", ")
    }

    /// A record from a row selected with ``selectList(_:)`` (every field; the caller filters).
    static func record(_ row: SQLRow, entity: EntityModel) -> ContentRecord {
        var fields: [String: JSONValue] = [:]
        fields.reserveCapacity(entity.columns.count)
        let offset = EntityModel.systemColumns.count
        for (index, column) in entity.columns.enumerated() {
            fields[column.name] = ReadModelTable.jsonValue(row[offset + index], column: column)
        }
        return ContentRecord(
            entity: entity.name, id: row[0].text ?? "", version: row[1].integer ?? 0, fields: fields,
            createdAt: ContentTime.date(microseconds: row[2].integer ?? 0),
            updatedAt: ContentTime.date(microseconds: row[3].integer ?? 0), createdBy: row[4].text, updatedBy: row[5].text,
            isDeleted: (row[6].integer ?? 0) != 0)
    }
}
