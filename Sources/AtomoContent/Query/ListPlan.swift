import AtomoSchema
import AtomoSQL
import Foundation

/// A list query compiled: the page's SQL and values, the count's, and how to turn rows into a page.
///
/// Keyset pagination: the ordering always ends with `id`, and a cursor holds the sort values and id
/// of its record, so "after the cursor" is a lexicographic comparison that stays right when records
/// are inserted anywhere. Nulls sort before every value. `last(n, before:)` runs the reversed
/// ordering and reverses the rows back.
struct ListPlan {
    let pageSQL: String
    let pageValues: [SQLValue]
    let countSQL: String?
    let countValues: [SQLValue]
    let entity: EntityModel
    let sortFields: [QueryField]
    let signature: String
    let limit: Int
    let page: PageRequest
    /// Whether every record gets a cursor (else the first and last only).
    let includeRecordCursors: Bool
    /// The reference fields whose records are read with the page.
    let includes: [ReferenceInclude]

    init(
        _ query: RecordQuery, entity: EntityModel, model: ContentModel, dialect: SQLDialect,
        readable: @escaping (EntityModel) -> Set<String>?, maximumPageSize: Int
    ) throws(ContentError) {
        self.entity = entity
        self.page = query.page
        self.includeRecordCursors = query.includeRecordCursors
        self.includes = try ReferenceInclude.resolve(query.includeReferences, of: entity, model: model)
        var compiler = FilterCompiler(model: model, dialect: dialect, readable: readable)
        var conditions: [String] = []
        if !query.includeDeleted { conditions.append("_deleted = 0") }
        if let filter = query.filter { conditions.append(try compiler.compile(filter, entity: entity)) }
        let filterConditions = conditions
        let filterValues = compiler.values

        guard query.orderBy.count <= 8 else { throw .invalidFilter("at most 8 sort keys") }
        var keys: [(QueryField, SortKey.Direction)] = []
        for key in query.orderBy {
            let field = try compiler.field(key.field, in: entity, purpose: "sort")
            guard !keys.contains(where: { $0.0.name == field.name }) else { throw .invalidFilter("\(entity.name).\(key.field) is sorted on twice") }
            keys.append((field, key.direction))
        }
        if !keys.contains(where: { $0.0.name == "id" }) {
            keys.append((try QueryField.resolve("id", in: entity), keys.last?.1 ?? .ascending))
        }
        sortFields = keys.map(\.0)
        signature = PageCursor.signature(entity: entity.name, order: keys.map { SortKey($0.0.name, $0.1) })

        var reversed = false
        var cursor: String?
        var offset = 0
        switch query.page {
        case .first(let count, let after):
            limit = count
            cursor = after
        case .last(let count, let before):
            limit = count
            cursor = before
            reversed = true
        case .offset(let skip, let count):
            guard skip >= 0 else { throw .invalidFilter("the offset must not be negative") }
            limit = count
            offset = skip
        }
        guard limit >= 0 && limit <= maximumPageSize else { throw .invalidFilter("a page has 0 to \(maximumPageSize) records") }
        let directions = keys.map { reversed ? ($0.1 == .ascending ? SortKey.Direction.descending : .ascending) : $0.1 }
        if let cursor {
            let (values, id) = try PageCursor.decode(cursor, signature: signature, fields: Array(sortFields.dropLast()))
            var alternatives: [String] = []
            let cursorValues = values + [.text(id)]
            for index in sortFields.indices {
                var parts: [String] = []
                for previous in 0..<index {
                    let field = sortFields[previous]
                    if cursorValues[previous] == .null {
                        parts.append("\(field.sql) IS NULL")
                    } else {
                        parts.append("\(field.sql) = \(compiler.bind(cursorValues[previous]))")
                    }
                }
                let field = sortFields[index]
                let value = cursorValues[index]
                if directions[index] == .ascending {
                    parts.append(value == .null ? "\(field.sql) IS NOT NULL" : "\(field.sql) > \(compiler.bind(value))")
                } else {
                    if value == .null { continue }
                    parts.append(
                        field.isNullable
                            ? "(\(field.sql) < \(compiler.bind(value)) OR \(field.sql) IS NULL)" : "\(field.sql) < \(compiler.bind(value))")
                }
                alternatives.append("(" + parts.joined(separator: " AND ") + ")")
            }
            conditions.append(alternatives.isEmpty ? "1 = 0" : "(" + alternatives.joined(separator: " OR ") + ")")
        }
        let order = zip(sortFields, directions).map { field, direction -> String in
            // Nulls first ascending and last descending on every database.
            dialect.orderTerm(field.sql, descending: direction == .descending, nullable: field.isNullable)
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        var sql = "SELECT \(RecordRows.selectList(entity)) FROM \(entity.view.quoted)\(whereClause) ORDER BY \(order.joined(separator: ", "))"
        sql += " LIMIT \(compiler.bind(.integer(Int64(limit + 1))))"
        if offset > 0 { sql += " OFFSET \(compiler.bind(.integer(Int64(offset))))" }
        pageSQL = sql
        pageValues = compiler.values
        if query.includeTotalCount {
            let countWhere = filterConditions.isEmpty ? "" : " WHERE " + filterConditions.joined(separator: " AND ")
            countSQL = "SELECT count(*) FROM \(entity.view.quoted)\(countWhere)"
        } else {
            countSQL = nil
        }
        countValues = filterValues
    }

    /// The rows of the records the page's rows point to, per include (on the reader, in the
    /// page's read transaction); `counter` counts the queries.
    func referencedRows(
        _ rows: [SQLRow], in connection: any SQLConnection, counter: QueryCounter
    ) throws -> [[SQLRow]] {
        try includes.map { include in
            let ids = include.ids(in: rows.prefix(limit))
            guard !ids.isEmpty else { return [] }
            let (referenced, queries) = try RecordRows.live(include.target, ids: ids, in: connection)
            counter.add(queries)
            return referenced
        }
    }

    /// The records the page's `records` point to, per include, from the rows read for them: only
    /// ids that a record as the principal sees it holds, each target as the principal sees it
    /// (`visible`; nil when every record is seen whole, so every row read is wanted).
    func references(
        _ rows: [[SQLRow]], of records: [ContentRecord], cache: RecordCache?,
        visible: ((EntityModel, ContentRecord) -> ContentRecord?)?
    ) -> [String: [String: ContentRecord]] {
        var result: [String: [String: ContentRecord]] = [:]
        for (include, rows) in zip(includes, rows) {
            var reader = RecordRows.Reader(entity: include.target, cache: cache)
            let targets = reader.records(rows)
            var loaded: [String: ContentRecord] = [:]
            loaded.reserveCapacity(targets.count)
            guard let visible else {
                for target in targets { loaded[target.id] = target }
                result[include.field] = loaded
                continue
            }
            var wanted: Set<String> = []
            for record in records {
                if let id = record.fields[include.field]?.stringValue { wanted.insert(id) }
            }
            for target in targets where wanted.contains(target.id) {
                if let shown = visible(include.target, target) { loaded[shown.id] = shown }
            }
            result[include.field] = loaded
        }
        return result
    }

    /// The page from the rows (limit + 1 of them at most) and the count.
    /// `visible` is how the principal sees a record (nil when every record is seen whole).
    func page(
        rows: [SQLRow], total: Int?, cache: RecordCache?, visible: ((ContentRecord) -> ContentRecord?)?
    ) -> RecordPage {
        let more = rows.count > limit
        var kept = Array(rows.prefix(limit))
        if case .last = page { kept.reverse() }
        var reader = RecordRows.Reader(
            entity: entity, keyColumns: sortFields.dropLast().map(\.columnName), cache: cache)
        var records = reader.records(kept)
        // The rows of the records shown (all of them, or those the principal may see).
        var shownRows = kept
        if let visible {
            var shown: [ContentRecord] = []
            shown.reserveCapacity(records.count)
            shownRows.removeAll(keepingCapacity: true)
            for (row, record) in zip(kept, records) {
                if let record = visible(record) {
                    shown.append(record)
                    shownRows.append(row)
                }
            }
            records = shown
        }
        func cursor(at index: Int) -> String {
            let row = shownRows[index]
            return PageCursor.encode(
                signature: signature, keys: reader.layout(for: row).keyValues(row), id: records[index].id)
        }
        // Without every record's cursor, the first and last records shown still get one.
        for index in records.indices where includeRecordCursors || index == 0 || index == records.count - 1 {
            records[index].cursor = cursor(at: index)
        }
        let hasNext: Bool
        let hasPrevious: Bool
        switch page {
        case .first(_, let after):
            hasNext = more
            hasPrevious = after != nil
        case .last(_, let before):
            hasNext = before != nil
            hasPrevious = more
        case .offset(let skip, _):
            hasNext = more
            hasPrevious = skip > 0
        }
        return RecordPage(
            records: records, totalCount: total, hasNextPage: hasNext, hasPreviousPage: hasPrevious,
            startCursor: records.first?.cursor, endCursor: records.last?.cursor)
    }
}
