import AtomoSQL
import AtomoSchema

/// A reference field whose records a list reads with its page (``RecordQuery/includeReferences``),
/// in the same read transaction.
struct ReferenceInclude: Sendable {
    /// The reference field's name.
    let field: String
    /// Its column, as result rows name it.
    let column: String
    /// The entity it points to.
    let target: EntityModel

    /// The includes a query names (each once), checked: each must be a reference field of `entity`.
    ///
    /// Readability is not checked here but per record: only records whose reference field the
    /// principal may read contribute ids to ``ListPlan/references(_:of:visible:)``.
    static func resolve(
        _ names: [String], of entity: EntityModel, model: ContentModel
    ) throws(ContentError)
        -> [ReferenceInclude]
    {
        var includes: [ReferenceInclude] = []
        for name in names where !includes.contains(where: { $0.field == name }) {
            let field = try QueryField.resolve(name, in: entity)
            guard case .reference(let targetName)? = field.type, let target = model.entities[targetName] else {
                throw .invalidFilter("\(entity.name).\(name) is not a reference, so it cannot be included")
            }
            includes.append(ReferenceInclude(field: name, column: field.columnName, target: target))
        }
        return includes
    }

    /// The ids `rows` point to with this field: valid ones, each once, in row order.
    func ids(in rows: ArraySlice<SQLRow>) -> [String] {
        guard let position = rows.first?.columns.firstIndex(of: column) else { return [] }
        var seen: Set<String> = []
        var ids: [String] = []
        for row in rows {
            if let id = row.values[position].text, RecordID.isValid(id), seen.insert(id).inserted { ids.append(id) }
        }
        return ids
    }
}

extension RecordRows {
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
}
