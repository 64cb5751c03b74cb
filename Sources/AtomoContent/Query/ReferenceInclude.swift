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
    /// principal may read contribute ids to ``ListPlan/references(_:of:cache:visible:)``.
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
