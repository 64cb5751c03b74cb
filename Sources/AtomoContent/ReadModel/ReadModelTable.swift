import AtomoSchema
import AtomoSQL
import Foundation

/// The SQL of one entity's read-model table: DDL, values in and out of columns.
///
/// Columns: `id` (primary key), `_version`, `_created_at` / `_updated_at` (microseconds since
/// 1970), `_created_by` / `_updated_by`, `_deleted` (0/1), then one column per declared field —
/// text, `BIGINT`, `DOUBLE PRECISION`, 0/1 for booleans, JSON text for lists, blocks and json.
/// Indexes: `(_created_at, id)`, `(_updated_at, id)`, and `(field, _created_at, id)` for reference,
/// enum and unique fields, so a filtered page ordered by creation time reads only its rows.
enum ReadModelTable {
    static func sqlType(_ storage: ColumnStorage, dialect: SQLDialect) -> String {
        switch storage {
        // Text sorts by code point on every database, and prefix LIKE can use the index.
        case .text, .json: dialect.binaryTextType
        case .integer, .boolean: "BIGINT"
        case .real: "DOUBLE PRECISION"
        }
    }

    static func createStatements(_ entity: EntityModel, table: SQLIdentifier, dialect: SQLDialect) -> [String] {
        let idType = sqlType(.text, dialect: dialect)
        var columns = [
            "id \(idType) PRIMARY KEY", "_version BIGINT NOT NULL", "_created_at BIGINT NOT NULL",
            "_updated_at BIGINT NOT NULL", "_created_by \(idType)", "_updated_by \(idType)", "_deleted BIGINT NOT NULL DEFAULT 0",
        ]
        for column in entity.columns { columns.append("\(column.column.quoted) \(sqlType(column.storage, dialect: dialect))") }
        var statements = ["CREATE TABLE IF NOT EXISTS \(table.quoted) (\(columns.joined(separator: ", ")))"]
        statements += indexStatements(entity, table: table, only: nil, dialect: dialect)
        return statements
    }

    /// Index DDL for the table (for `only` columns when given, else all, with the system indexes).
    static func indexStatements(
        _ entity: EntityModel, table: SQLIdentifier, only: Set<String>?, dialect: SQLDialect
    ) -> [String] {
        var statements: [String] = []
        if only == nil {
            statements.append("CREATE INDEX IF NOT EXISTS \(indexName(table, "created").quoted) ON \(table.quoted) (_created_at, id)")
            statements.append("CREATE INDEX IF NOT EXISTS \(indexName(table, "updated").quoted) ON \(table.quoted) (_updated_at, id)")
        }
        for column in entity.columns where column.isIndexed && (only?.contains(column.name) ?? true) {
            statements.append(
                "CREATE INDEX IF NOT EXISTS \(indexName(table, "f_" + column.name).quoted) ON \(table.quoted) (\(column.column.quoted), _created_at, id)")
        }
        // In list order: nulls first ascending, as lists sort them (the lists' ORDER BY says so
        // through the dialect, and an index must say the same to be walked).
        let nullsFirst = dialect.nullsLowest(descending: false)
        for column in entity.columns where column.hasListOrderIndex && (only?.contains(column.name) ?? true) {
            statements.append(
                "CREATE INDEX IF NOT EXISTS \(indexName(table, "o_" + column.name).quoted) ON \(table.quoted) (\(column.column.quoted)\(nullsFirst), id)"
            )
        }
        return statements
    }

    /// `<table>_<suffix>`, or a hashed name when that is longer than 63 bytes.
    static func indexName(_ table: SQLIdentifier, _ suffix: String) -> SQLIdentifier {
        let name = "\(table.name)_\(suffix)"
        if let identifier = try? SQLIdentifier(name) { return identifier }
        // Names that cannot be identifiers as they are: a short, stable hash of the full name.
        return (try? SQLIdentifier("ix_\(StableHash.hex128(name))")) ?? table
    }

    /// A value in its column's form.
    static func sqlValue(_ value: JSONValue?, storage: ColumnStorage) -> SQLValue {
        guard let value, value != .null else { return storage == .json ? .text("[]") : .null }
        switch storage {
        case .text:
            if case .string(let text) = value { return .text(text) }
            return .text(ContentJSON.encode(value))
        case .integer:
            return value.intValue.map(SQLValue.integer) ?? .null
        case .real:
            return value.doubleValue.map(SQLValue.real) ?? .null
        case .boolean:
            if case .bool(let bool) = value { return .integer(bool ? 1 : 0) }
            return .null
        case .json:
            return .text(ContentJSON.encode(value))
        }
    }

    /// A column's value back as JSON.
    static func jsonValue(_ value: SQLValue, column: ColumnModel) -> JSONValue {
        switch (column.storage, value) {
        case (_, .null): return RecordValidator.isCollection(column.field.type) ? .array([]) : .null
        case (.text, .text(let text)): return .string(text)
        case (.integer, .integer(let int)): return .int(int)
        case (.integer, .real(let double)): return JSONValue.double(double).intValue.map(JSONValue.int) ?? .null
        case (.real, .real(let double)): return .double(double)
        case (.real, .integer(let int)): return .double(Double(int))
        case (.boolean, .integer(let int)): return .bool(int != 0)
        case (.json, .text(let text)): return (try? ContentJSON.decode(text)) ?? .null
        case (_, .text(let text)): return ValueCoercion.coerce(.string(text), to: column.field.type)
        case (_, .integer(let int)): return ValueCoercion.coerce(.int(int), to: column.field.type)
        case (_, .real(let double)): return ValueCoercion.coerce(.double(double), to: column.field.type)
        case (_, .blob): return .null
        }
    }
}

/// FNV-1a, twice with different offsets: a stable 128-bit name for long identifiers and values.
/// Not a cryptographic hash; used where a collision only costs a spurious conflict.
enum StableHash {
    static func hex128(_ text: String) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        for byte in text.utf8 {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = b ^ (b >> 29)
        }
        return hex(a) + hex(b)
    }

    private static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
