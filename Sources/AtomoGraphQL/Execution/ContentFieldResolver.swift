import AtomoContent
import AtomoSchema
import Foundation

/// Resolves the fields that read or write content, for one request: root queries and mutations
/// with their arguments, references by batches of ids, and reverse relations for many parents in
/// one list query. Both executors call it, so they ask the engine exactly the same questions.
struct ContentFieldResolver: Sendable {
    let engine: ContentEngine
    let principal: Principal
    let schema: RoleSchema
    let limits: GraphQLLimits

    private func view(_ entity: String) throws(GraphQLFieldError) -> EntityView {
        guard let view = schema.view.entity(entity) else {
            throw GraphQLFieldError(.forbidden, "\(entity) is not readable")
        }
        return view
    }

    private func run<T: Sendable>(_ body: () async throws(ContentError) -> T) async throws(GraphQLFieldError) -> T {
        do {
            return try await body()
        } catch {
            throw GraphQLFieldError(error)
        }
    }

    /// A root field of Query or Mutation. `wantsTotalCount` asks lists to count (one more query);
    /// `includeReferences` names reference fields whose records a list reads with its page (in its
    /// read transaction), delivered in the connection's `references`; without `wantsRecordCursors`
    /// only a list's first and last records get a cursor.
    func root(
        _ kind: FieldKind, _ arguments: [String: JSONValue], wantsTotalCount: Bool, includeReferences: [String] = [],
        wantsRecordCursors: Bool = true
    ) async throws(GraphQLFieldError)
        -> ResolvedValue
    {
        let engine = self.engine
        let principal = self.principal
        switch kind {
        case .schemaFingerprint:
            return .json(.string(schema.fingerprint))
        case .single(let entity):
            let id = arguments["id"]?.stringValue ?? ""
            let asOf = try QueryArguments.date(arguments["asOf"])
            let version = QueryArguments.version(arguments["version"])
            let record: ContentRecord?
            if asOf != nil || version != nil {
                record = try await run { () async throws(ContentError) in
                    try await engine.get(entity, id: id, asOf: asOf, version: version, as: principal)
                }
            } else {
                record = try await run { () async throws(ContentError) in
                    try await engine.get(entity, id: id, as: principal)
                }
            }
            return record.map(ResolvedValue.record) ?? .null
        case .list(let entity):
            var query = try recordQuery(entity, arguments, extraFilter: nil, wantsTotalCount: wantsTotalCount)
            query.includeReferences = includeReferences
            query.includeRecordCursors = wantsRecordCursors
            let page = try await run { () async throws(ContentError) in try await engine.list(query, as: principal) }
            return .connection(ConnectionValue(page))
        case .aggregate(let entity):
            let filter = try QueryArguments.filter(arguments["where"], entity: try view(entity), view: schema.view)
            let aggregates = try await run { () async throws(ContentError) in
                try await engine.aggregate(entity, where: filter, as: principal)
            }
            return .aggregates(aggregates)
        case .history(let entity):
            let id = arguments["id"]?.stringValue ?? ""
            let changes = try await run { () async throws(ContentError) in
                try await engine.history(entity, id: id, as: principal)
            }
            return .list(changes.map(ResolvedValue.change))
        case .create(let entity):
            let declared = try view(entity).entity
            let input = QueryArguments.input(arguments["input"], entity: declared, schema: schema.view.schema)
            let record = try await run { () async throws(ContentError) in
                try await engine.create(entity, input, as: principal)
            }
            return .record(record)
        case .update(let entity):
            let declared = try view(entity).entity
            let input = QueryArguments.input(arguments["input"], entity: declared, schema: schema.view.schema)
            let id = arguments["id"]?.stringValue ?? ""
            let expected = QueryArguments.version(arguments["expectedVersion"])
            let record = try await run { () async throws(ContentError) in
                try await engine.update(entity, id: id, input, expectedVersion: expected, as: principal)
            }
            return .record(record)
        case .delete(let entity), .restore(let entity):
            let id = arguments["id"]?.stringValue ?? ""
            let expected = QueryArguments.version(arguments["expectedVersion"])
            let isDelete: Bool
            if case .delete = kind { isDelete = true } else { isDelete = false }
            let record = try await run { () async throws(ContentError) in
                isDelete
                    ? try await engine.delete(entity, id: id, expectedVersion: expected, as: principal)
                    : try await engine.restore(entity, id: id, expectedVersion: expected, as: principal)
            }
            return .record(record)
        case .contributed(let field):
            guard case .resolve(let resolve)? = schema.contributed[field] else {
                throw GraphQLFieldError(.internalServerError, "internal server error")
            }
            let value: JSONValue
            do {
                value = try await resolve(
                    GraphQLPartRequest(principal: principal, arguments: arguments, engine: engine, schema: schema))
            } catch {
                throw GraphQLFieldError.from(error)
            }
            // A list of objects is written element by element, each read by its members.
            if case .array(let elements) = value { return .list(elements.map(ResolvedValue.json)) }
            return .json(value)
        default:
            throw GraphQLFieldError(.internalServerError, "internal server error")
        }
    }

    func recordQuery(
        _ entity: String, _ arguments: [String: JSONValue], extraFilter: RecordFilter?, wantsTotalCount: Bool
    )
        throws(GraphQLFieldError) -> RecordQuery
    {
        let filter = try QueryArguments.filter(arguments["where"], entity: try view(entity), view: schema.view)
        let combined: RecordFilter?
        switch (filter, extraFilter) {
        case (let filter?, let extra?): combined = .and([extra, filter])
        case (let filter, nil): combined = filter
        case (nil, let extra): combined = extra
        }
        return RecordQuery(
            entity, filter: combined, orderBy: try QueryArguments.sortKeys(arguments["orderBy"]),
            page: try QueryArguments.page(arguments, limits: limits), includeTotalCount: wantsTotalCount)
    }

    /// The records with these ids, in one read-model query.
    func references(_ target: String, ids: [String]) async throws(GraphQLFieldError) -> [String: ContentRecord] {
        guard !ids.isEmpty else { return [:] }
        let engine = self.engine
        let principal = self.principal
        return try await run { () async throws(ContentError) in
            try await engine.records(target, ids: ids, as: principal)
        }
    }

    /// `Company.contacts` for many companies at once: one list query of the children whose reference
    /// is one of the parents, grouped by parent. When the arguments page from a cursor or from the
    /// end, or the batch does not fit one page, each parent is asked alone (still correct, no longer
    /// one query).
    func reverse(
        _ relation: ReverseRelation, parentIDs: [String], _ arguments: [String: JSONValue], wantsTotalCount: Bool
    )
        async throws(GraphQLFieldError) -> [String: ConnectionValue]
    {
        guard !parentIDs.isEmpty else { return [:] }
        let engine = self.engine
        let principal = self.principal
        let page = try QueryArguments.page(arguments, limits: limits)
        if case .first(let count, after: nil) = page {
            let batchLimit = limits.maxPageSize
            var query = try recordQuery(
                relation.sourceEntity, arguments,
                extraFilter: .field(relation.referenceField, .in(parentIDs.map(JSONValue.string))),
                wantsTotalCount: false)
            query.page = .first(batchLimit)
            let batch = try await run { () async throws(ContentError) in try await engine.list(query, as: principal) }
            if !batch.hasNextPage {
                var groups: [String: [ContentRecord]] = [:]
                for record in batch.records {
                    if let parent = record.fields[relation.referenceField]?.stringValue {
                        groups[parent, default: []].append(record)
                    }
                }
                var result: [String: ConnectionValue] = [:]
                for parent in parentIDs {
                    let children = groups[parent] ?? []
                    result[parent] = ConnectionValue(
                        records: Array(children.prefix(count)), totalCount: children.count,
                        hasNextPage: children.count > count, hasPreviousPage: false)
                }
                return result
            }
        }
        var result: [String: ConnectionValue] = [:]
        for parent in parentIDs {
            let query = try recordQuery(
                relation.sourceEntity, arguments, extraFilter: .field(relation.referenceField, .eq(.string(parent))),
                wantsTotalCount: wantsTotalCount)
            let page = try await run { () async throws(ContentError) in try await engine.list(query, as: principal) }
            result[parent] = ConnectionValue(page)
        }
        return result
    }
}
