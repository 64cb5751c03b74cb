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
        Layout(columns: row.columns, entity: entity).record(row)
    }

    /// The live rows of `entity` with these ids (valid and distinct), read with one `IN` query per
    /// ``FilterCompiler/maximumListValues`` ids; also returns how many queries that took.
    static func live(
        _ entity: EntityModel, ids: [String], in connection: any SQLConnection
    ) throws -> (
        rows: [SQLRow], queries: Int
    ) {
        var rows: [SQLRow] = []
        var queries = 0
        var start = ids.startIndex
        while start < ids.endIndex {
            let chunk = ids[start..<min(start + FilterCompiler.maximumListValues, ids.endIndex)]
            let placeholders = (1...chunk.count).map(connection.dialect.placeholder).joined(separator: ", ")
            let sql =
                "SELECT \(selectList(entity)) FROM \(entity.view.quoted) WHERE id IN (\(placeholders)) AND _deleted = 0"
            rows += try connection.query(sql, chunk.map(SQLValue.text))
            queries += 1
            start = chunk.endIndex
        }
        return (rows, queries)
    }

    /// Reads the rows of one result: the rows of a query share their column names, so the column
    /// positions are looked up once per result instead of once per row (the lookup by name used to
    /// cost as much as the rest of decoding a row).
    struct Reader {
        let entity: EntityModel
        /// Extra columns whose positions the layouts also look up (a list's sort keys).
        let keyColumns: [String]
        /// Where records already decoded are kept (nil: decode every row).
        let cache: RecordCache?
        private var layout: Layout?

        init(entity: EntityModel, keyColumns: [String] = [], cache: RecordCache? = nil) {
            self.entity = entity
            self.keyColumns = keyColumns
            self.cache = cache
        }

        /// The record of `row`.
        mutating func record(_ row: SQLRow) -> ContentRecord { layout(for: row).record(row) }

        /// The records of `rows`, in order: from the cache where it holds them, decoded (and
        /// cached) where not.
        mutating func records(_ rows: some Collection<SQLRow>) -> [ContentRecord] {
            guard let cache, cache.isEnabled else { return rows.map { record($0) } }
            var keys: [RecordCache.Key?] = []
            keys.reserveCapacity(rows.count)
            for row in rows { keys.append(layout(for: row).cacheKey(row)) }
            let cached = cache.records(keys)
            var records: [ContentRecord] = []
            records.reserveCapacity(rows.count)
            var decoded: [(key: RecordCache.Key, record: ContentRecord, bytes: Int)] = []
            for (index, row) in zip(keys.indices, rows) {
                if let record = cached[index] {
                    records.append(record)
                } else {
                    let record = record(row)
                    records.append(record)
                    if let key = keys[index] { decoded.append((key, record, row.estimatedBytes)) }
                }
            }
            cache.insert(decoded)
            return records
        }

        /// The positions of `row`'s columns (the previous row's when the names are the same).
        mutating func layout(for row: SQLRow) -> Layout {
            // Rows of one result share one array of names, so this is usually a buffer identity check.
            if let layout, layout.columns == row.columns { return layout }
            let made = Layout(columns: row.columns, entity: entity, keyColumns: keyColumns)
            layout = made
            return made
        }
    }

    /// Where each column the engine reads sits in a row with these column names (nil: absent).
    struct Layout {
        let columns: [String]
        let entity: EntityModel
        let id: Int?
        let version: Int?
        let createdAt: Int?
        let updatedAt: Int?
        let createdBy: Int?
        let updatedBy: Int?
        let deleted: Int?
        /// Per declared column of `entity`, in its order.
        let fields: [Int?]
        /// Per key column the reader was given, in its order.
        let keys: [Int?]
        /// Whether the row has every column of the entity (rows read from a table of another
        /// shape, as during a schema change, are decoded but not cached).
        let isComplete: Bool

        init(columns: [String], entity: EntityModel, keyColumns: [String] = []) {
            self.columns = columns
            self.entity = entity
            var index: [String: Int] = [:]
            index.reserveCapacity(columns.count)
            for (offset, name) in columns.enumerated() { index[name] = offset }
            id = index["id"]
            version = index["_version"]
            createdAt = index["_created_at"]
            updatedAt = index["_updated_at"]
            createdBy = index["_created_by"]
            updatedBy = index["_updated_by"]
            deleted = index["_deleted"]
            fields = entity.columns.map { index[$0.column.name] }
            keys = keyColumns.map { index[$0] }
            isComplete = id != nil && version != nil && fields.allSatisfy { $0 != nil }
        }

        /// The cache key of `row`: its entity, id and version (nil when the row cannot be cached).
        func cacheKey(_ row: SQLRow) -> RecordCache.Key? {
            guard isComplete, let id, let version, id < row.values.count, version < row.values.count,
                let text = row.values[id].text, let number = row.values[version].integer
            else { return nil }
            return RecordCache.Key(entity: entity.name, id: text, version: number)
        }

        /// The values of the key columns in `row` (`NULL` for an absent one).
        func keyValues(_ row: SQLRow) -> some Sequence<SQLValue> {
            keys.lazy.map { position in
                guard let position, position < row.values.count else { return .null }
                return row.values[position]
            }
        }

        /// The record of `row` (a row with these columns).
        func record(_ row: SQLRow) -> ContentRecord {
            let values = row.values
            func value(_ position: Int?) -> SQLValue {
                guard let position, position < values.count else { return .null }
                return values[position]
            }
            var fields: [String: JSONValue] = [:]
            fields.reserveCapacity(entity.columns.count)
            for (column, position) in zip(entity.columns, self.fields) {
                fields[column.name] = ReadModelTable.jsonValue(value(position), column: column)
            }
            return ContentRecord(
                entity: entity.name, id: value(id).text ?? "", version: value(version).integer ?? 0, fields: fields,
                createdAt: ContentTime.date(microseconds: value(createdAt).integer ?? 0),
                updatedAt: ContentTime.date(microseconds: value(updatedAt).integer ?? 0),
                createdBy: value(createdBy).text, updatedBy: value(updatedBy).text,
                isDeleted: (value(deleted).integer ?? 0) != 0)
        }
    }
}
