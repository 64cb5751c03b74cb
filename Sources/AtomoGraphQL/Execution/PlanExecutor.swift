import AtomoContent
import AtomoSchema
import GraphQL

/// Executes an ``OperationPlan``: resolves the root fields, then loads each relation of the
/// selection for all the records at its level with one read-model query (references by a batch of
/// ids, reverse relations by one `IN` list), then writes the JSON response directly — no task per
/// field, no intermediate result tree. Nulls propagate per the specification by truncating what was
/// written back to the nearest nullable field.
struct PlanExecutor {
    let plan: OperationPlan
    let resolver: ContentFieldResolver
    let variables: [String: JSONValue]
    /// When execution must stop: checked before every read-model query (a query already running is
    /// not interrupted — nor would cancelling its task interrupt SQLite — so a request overruns by at
    /// most one query). A deadline costs nothing per request, where a timer task would.
    var deadline: ContinuousClock.Instant? = nil
    var timeout: Duration = .seconds(10)

    /// One element of a response path.
    enum PathElement: Sendable {
        case key(String)
        case index(Int)
    }

    /// A field error as it will be written in `errors`.
    struct ErrorEntry: Sendable {
        var error: GraphQLFieldError
        var path: [PathElement]
        var location: SourcePosition?
    }

    /// Thrown while writing when a null reaches a non-null position: the nearest nullable field catches it.
    struct NullBubble: Error {}

    /// The mutable state of one execution.
    final class Run {
        var references: [Int: [String: ContentRecord]] = [:]
        var reverse: [Int: [String: ConnectionValue]] = [:]
        var relationErrors: [Int: GraphQLFieldError] = [:]
        var errors: [ErrorEntry] = []
        // The writer and the path are touched for every value written, and only ever by the one
        // task that runs the execution, one access at a time: the dynamic exclusivity check a
        // class property otherwise gets on each access was ~2 % of a request's CPU.
        @exclusivity(unchecked) var writer = JSONWriter(capacity: 16_384)
        /// The path of the value being written (a stack: copied only when an error is recorded).
        @exclusivity(unchecked) var path: [PathElement] = []
        var timedOut = false

        /// The record `record` points to with the reference field `sub` (named `field` on the
        /// record), as loaded for the request; nil when it points nowhere or to nothing loaded.
        func loadedReference(_ sub: FieldPlan, _ field: String, of record: ContentRecord) -> ContentRecord? {
            guard let id = record.fields[field]?.stringValue else { return nil }
            return references[sub.id]?[id]
        }
    }

    /// Whether the deadline has passed (and marks the run timed out).
    private func expired(_ run: Run) -> Bool {
        if run.timedOut { return true }
        guard let deadline, ContinuousClock.now >= deadline else { return false }
        run.timedOut = true
        return true
    }

    /// The response body and whether `data` is non-null.
    struct Outcome: Sendable {
        var body: [UInt8]
        var hasData: Bool
        var errors: [ErrorEntry]
    }

    /// The arguments of a field, coerced: literals and variables, defaults where not given.
    func arguments(_ field: FieldPlan) throws(GraphQLFieldError) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for argument in field.arguments {
            if let ast = argument.value,
                let value = try InputCoercion.literal(ast, to: argument.type, variables: variables, path: argument.name)
            {
                result[argument.name] = value
            } else if let defaultValue = argument.defaultValue, let value = JSONValue(graphQLMap: defaultValue) {
                result[argument.name] = value
            } else if argument.type is GraphQLNonNull {
                throw GraphQLFieldError(.badUserInput, "argument \(argument.name) is required")
            }
        }
        return result
    }

    /// Runs a query or mutation and writes `{"data": …, "errors": […]}`.
    func run() async -> Outcome {
        let run = Run()
        var rootValues: [Result<ResolvedValue, GraphQLFieldError>] = []
        // Root fields run one after another: serially for mutations as the specification demands,
        // and for queries because each already batches everything below it.
        for field in plan.root.fields {
            if expired(run) { break }
            let value: Result<ResolvedValue, GraphQLFieldError>
            if let kind = field.kind {
                do throws(GraphQLFieldError) {
                    let arguments = try arguments(field)
                    // A list reads the records its nodes' references point to with its page,
                    // and makes a cursor per record only when edges select them.
                    let reads = field.listReads
                    let resolved = try await resolver.root(
                        kind, arguments, wantsTotalCount: field.selectsTotalCount,
                        includeReferences: reads.references.map(\.referenceField), wantsRecordCursors: reads.cursors)
                    if case .connection(let page) = resolved {
                        for (sub, referenceField) in reads.references {
                            run.references[sub.id] = page.references[referenceField] ?? [:]
                        }
                    }
                    value = .success(resolved)
                } catch {
                    value = .failure(error)
                }
            } else {
                value = .success(.json(.string(plan.rootTypeName)))
            }
            if case .success(let resolved) = value { await prefetch(field, [resolved], run) }
            rootValues.append(value)
        }
        if expired(run) {
            let error = GraphQLRequestError(.timeout, "the operation took longer than \(timeout)")
            return Outcome(body: GraphQLResponse.errorBody(error, withNullData: true), hasData: false, errors: [])
        }
        return write(rootValues: rootValues, run: run)
    }

    /// Writes the response for root values already resolved (subscriptions resolve their own root).
    func write(rootValues: [Result<ResolvedValue, GraphQLFieldError>], run: Run) -> Outcome {
        run.writer.beginObject()
        run.writer.key("data")
        let dataMark = run.writer.mark
        var hasData = true
        do {
            run.writer.beginObject()
            for (field, value) in zip(plan.root.fields, rootValues) {
                try writeField(field, value, run: run)
            }
            run.writer.endObject()
        } catch {
            run.writer.truncate(to: dataMark)
            run.writer.null()
            hasData = false
        }
        if !run.errors.isEmpty {
            run.writer.key("errors")
            run.writer.beginArray()
            for entry in run.errors { Self.writeError(entry, into: &run.writer) }
            run.writer.endArray()
        }
        run.writer.endObject()
        return Outcome(body: run.writer.bytes, hasData: hasData, errors: run.errors)
    }

    static func writeError(_ entry: ErrorEntry, into writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("message")
        writer.string(entry.error.message)
        if let location = entry.location {
            writer.key("locations")
            writer.beginArray()
            writer.beginObject()
            writer.key("line")
            writer.int(Int64(location.line))
            writer.key("column")
            writer.int(Int64(location.column))
            writer.endObject()
            writer.endArray()
        }
        if !entry.path.isEmpty {
            writer.key("path")
            writer.beginArray()
            for element in entry.path {
                switch element {
                case .key(let key): writer.string(key)
                case .index(let index): writer.int(Int64(index))
                }
            }
            writer.endArray()
        }
        writer.key("extensions")
        var extensions = entry.error.extensions
        extensions["code"] = .string(entry.error.code.rawValue)
        writer.json(.object(extensions))
        writer.endObject()
    }

    // MARK: Loading

    private static func flatten(_ values: [ResolvedValue], into result: inout [ResolvedValue]) {
        for value in values {
            switch value {
            case .null: continue
            case .list(let elements): flatten(elements, into: &result)
            default: result.append(value)
            }
        }
    }

    /// Loads every relation below `field` for all of `values` at once, level by level (a
    /// reference already read with its list's page is not loaded again; what is below it is).
    func prefetch(_ field: FieldPlan, _ values: [ResolvedValue], _ run: Run) async {
        guard let selection = field.selection else { return }
        var objects: [ResolvedValue] = []
        Self.flatten(values, into: &objects)
        guard !objects.isEmpty else { return }
        for sub in selection.fields {
            guard let kind = sub.kind, !expired(run) else { continue }
            switch kind {
            case .reference(let referenceField, let target):
                if let loaded = run.references[sub.id] {
                    await prefetch(sub, loaded.values.map(ResolvedValue.record), run)
                    continue
                }
                var seen: Set<String> = []
                var ids: [String] = []
                for case .record(let record) in objects {
                    if let id = record.fields[referenceField]?.stringValue, seen.insert(id).inserted { ids.append(id) }
                }
                do throws(GraphQLFieldError) {
                    let loaded = try await resolver.references(target, ids: ids)
                    run.references[sub.id] = loaded
                    await prefetch(sub, loaded.values.map(ResolvedValue.record), run)
                } catch {
                    run.relationErrors[sub.id] = error
                }
            case .reverse(let relation):
                var parents: [String] = []
                for case .record(let record) in objects { parents.append(record.id) }
                do throws(GraphQLFieldError) {
                    let loaded = try await resolver.reverse(
                        relation, parentIDs: parents, try arguments(sub), wantsTotalCount: sub.selectsTotalCount)
                    run.reverse[sub.id] = loaded
                    await prefetch(sub, loaded.values.map(ResolvedValue.connection), run)
                } catch {
                    run.relationErrors[sub.id] = error
                }
            case .member(let name):
                await prefetch(sub, objects.map { $0.member(name) }, run)
            default:
                continue
            }
        }
    }

    // MARK: Writing

    private func fail(_ error: GraphQLFieldError, _ field: FieldPlan, _ run: Run) {
        var error = error
        if error.code == .internalServerError, error.extensions["requestId"] == nil {
            // An internal error raised here (a stored value that does not fit its type, a null in a
            // non-null position) has no other report: the host's log gets it, under the request's id.
            error.extensions.merge(GraphQLIncidentReporter.extensions(reporting: error)) { kept, _ in kept }
        }
        run.errors.append(ErrorEntry(error: error, path: run.path, location: field.location))
    }

    func writeField(_ field: FieldPlan, _ value: Result<ResolvedValue, GraphQLFieldError>, run: Run) throws(NullBubble)
    {
        try writeKeyed(field, run: run) { () throws(NullBubble) in
            let resolved: ResolvedValue
            switch value {
            case .success(let value): resolved = value
            case .failure(let error):
                fail(error, field, run)
                resolved = .null
                if field.shape.isNonNull { throw NullBubble() }
            }
            try writeValue(field.shape, resolved, field, run: run, reportNull: value.isSuccess)
        }
    }

    /// Writes `field`'s key, then its value with `body`, at the field's path. A null bubbling out of
    /// the value stops here, written as null, unless the field is non-null too.
    private func writeKeyed(_ field: FieldPlan, run: Run, _ body: () throws(NullBubble) -> Void) throws(NullBubble) {
        run.writer.key(json: field.keyJSON)
        run.path.append(.key(field.responseKey))
        defer { run.path.removeLast() }
        let mark = run.writer.mark
        do {
            try body()
        } catch {
            if field.shape.isNonNull { throw error }
            run.writer.truncate(to: mark)
            run.writer.null()
        }
    }

    private func writeValue(
        _ shape: OutputShape, _ value: ResolvedValue, _ field: FieldPlan, run: Run, reportNull: Bool = true
    ) throws(NullBubble) {
        switch shape {
        case .nonNull(let inner):
            if value.isNull {
                if reportNull {
                    fail(
                        GraphQLFieldError(
                            .internalServerError,
                            "Cannot return null for non-nullable field \(field.parentTypeName).\(field.fieldName)."),
                        field, run)
                }
                throw NullBubble()
            }
            try writeValue(inner, value, field, run: run)
        case _ where value.isNull:
            run.writer.null()
        case .list(let inner):
            run.writer.beginArray()
            switch value {
            case .list(let values):
                for index in values.indices {
                    try writeElement(inner, values[index], at: index, field, run: run)
                }
            case .json(.array(let values)):
                // Block lists and other JSON arrays: each element wrapped where it is written,
                // not mapped into a second array first.
                for index in values.indices {
                    try writeElement(inner, .json(values[index]), at: index, field, run: run)
                }
            default:
                try writeElement(inner, value, at: 0, field, run: run)
            }
            run.writer.endArray()
        case .leaf(let kind):
            guard case .json(let json) = value else {
                run.writer.null()
                return
            }
            if let error = writeLeaf(kind, json, run: run) {
                // The value cannot be represented: it becomes null where it stands, which the
                // nearest nullable position catches.
                fail(error, field, run)
                throw NullBubble()
            }
        case .object(let typeName):
            guard let selection = field.selection else {
                run.writer.null()
                return
            }
            try writeObject(selection, value, typeName: typeName, run: run)
        case .union(_, let names):
            guard let block = value.blockType, let typeName = names[block],
                let selection = field.unionSelections[typeName]
            else {
                fail(GraphQLFieldError(.internalServerError, "a block has an unknown type"), field, run)
                throw NullBubble()
            }
            try writeObject(selection, value, typeName: typeName, run: run)
        }
    }

    /// Writes one element of a list.
    private func writeElement(
        _ shape: OutputShape, _ element: ResolvedValue, at index: Int, _ field: FieldPlan, run: Run
    ) throws(NullBubble) {
        try writeIndexed(index, nonNull: shape.isNonNull, run: run) { () throws(NullBubble) in
            try writeValue(shape, element, field, run: run)
        }
    }

    /// Writes the list element at `index` with `body`, at its path; a null bubbling out of it
    /// stays there, written as null, unless elements are non-null.
    private func writeIndexed(
        _ index: Int, nonNull: Bool, run: Run, _ body: () throws(NullBubble) -> Void
    ) throws(NullBubble) {
        let mark = run.writer.mark
        run.path.append(.index(index))
        defer { run.path.removeLast() }
        do {
            try body()
        } catch {
            if nonNull { throw error }
            run.writer.truncate(to: mark)
            run.writer.null()
        }
    }

    /// Writes a leaf, or returns the error if the value cannot be represented (as the library does).
    private func writeLeaf(_ kind: LeafKind, _ value: JSONValue, run: Run) -> GraphQLFieldError? {
        switch (kind, value) {
        case (_, .null): run.writer.null()
        case (.int, .int(let int)): run.writer.int(int)
        case (.int, .double(let double)): run.writer.int(Int64(double))
        case (.float, .int(let int)): run.writer.double(Double(int))
        case (.float, .double(let double)): run.writer.double(double)
        case (.boolean, .bool(let bool)): run.writer.bool(bool)
        case (.string, .string(let string)), (.id, .string(let string)), (.dateTime, .string(let string)):
            run.writer.string(string)
        case (.id, .int(let int)), (.string, .int(let int)): run.writer.string(String(int))
        case (.enumeration(let name, let values), .string(let string)):
            guard values.contains(string) else {
                return GraphQLFieldError(
                    .internalServerError, "Enum \"\(name)\" cannot represent value: \"\(string)\".")
            }
            run.writer.string(string)
        case (.json, _): run.writer.json(value)
        default:
            return GraphQLFieldError(.internalServerError, "a stored value does not fit its GraphQL type")
        }
        return nil
    }

    /// The leaf value of `field` in `value` when it can be read directly: a member of a JSON
    /// object (a block) or `__typename`; nil otherwise. (Records have their own writer.)
    private static func directLeaf(_ field: FieldPlan, of value: ResolvedValue, typeName: String) -> JSONValue? {
        switch (field.kind, value) {
        case (nil, _): return .string(typeName)
        case (.member(let name)?, .json(let json)):
            if case .object(let members) = json { return members[name] ?? .null }
            return nil
        default: return nil
        }
    }

    /// Writes a leaf field whose value was read directly, without a resolved value or a path
    /// element; anything unusual (null where non-null, a value that does not fit) takes the
    /// general path, which reports it.
    private func writeDirectLeaf(_ field: FieldPlan, _ leaf: LeafKind, _ json: JSONValue, run: Run) throws(NullBubble) {
        if case .null = json, field.shape.isNonNull {
            try writeField(field, .success(.null), run: run)
            return
        }
        let mark = run.writer.mark
        run.writer.key(json: field.keyJSON)
        if writeLeaf(leaf, json, run: run) != nil {
            run.writer.truncate(to: mark)
            try writeField(field, .success(.json(json)), run: run)
        }
    }

    private func writeObject(
        _ selection: SelectionPlan, _ value: ResolvedValue, typeName: String, run: Run
    ) throws(NullBubble) {
        switch value {
        case .record(let record):
            try writeRecord(selection, record, typeName: typeName, run: run)
        case .connection(let page):
            try writeConnection(selection, page, value, typeName: typeName, run: run)
        default:
            run.writer.beginObject()
            for sub in selection.fields { try writeMember(sub, of: value, typeName: typeName, run: run) }
            run.writer.endObject()
        }
    }

    // The three writers below serve the shape almost every read has — a connection's edges or
    // nodes, each a record, its own fields and its references — straight from the page and the
    // loaded relations. They produce exactly what the general path (`writeMember`) would, which
    // they fall back to for anything else, including every error; the differential tests hold
    // both to the library's executor.

    /// Writes a record: its own fields and references read straight from it and the relations
    /// loaded for the request.
    private func writeRecord(
        _ selection: SelectionPlan, _ record: ContentRecord, typeName: String, run: Run
    ) throws(NullBubble) {
        run.writer.beginObject()
        for sub in selection.fields {
            switch sub.kind {
            case nil:
                try writeMember(sub, of: .null, typeName: typeName, run: run)
            case .system?, .value?:
                let json = ResolvedValue.recordJSON(sub.kind!, of: record)
                if let leaf = sub.leaf {
                    try writeDirectLeaf(sub, leaf, json, run: run)
                } else if let blockList = sub.blockList, case .array(let blocks) = json {
                    try writeBlocks(sub, blockList, blocks, run: run)
                } else {
                    try writeField(sub, .success(.json(json)), run: run)
                }
            case .reference(let referenceField, _)?
            where run.relationErrors.isEmpty || run.relationErrors[sub.id] == nil:
                if let target = run.loadedReference(sub, referenceField, of: record) {
                    try writeRecordField(sub, target, run: run)
                } else {
                    try writeField(sub, .success(.null), run: run)
                }
            default:
                try writeMember(sub, of: .record(record), typeName: typeName, run: run)
            }
        }
        run.writer.endObject()
    }

    /// Writes a field whose value is `record` (an edge's node, a loaded reference).
    private func writeRecordField(_ field: FieldPlan, _ record: ContentRecord, run: Run) throws(NullBubble) {
        guard let selection = field.selection, case .object(let typeName) = field.shape.nullable else {
            try writeField(field, .success(.record(record)), run: run)
            return
        }
        try writeKeyed(field, run: run) { () throws(NullBubble) in
            try writeRecord(selection, record, typeName: typeName, run: run)
        }
    }

    /// Writes a connection; its `edges` and `nodes` are written from the page's records.
    private func writeConnection(
        _ selection: SelectionPlan, _ page: ConnectionValue, _ value: ResolvedValue, typeName: String, run: Run
    ) throws(NullBubble) {
        run.writer.beginObject()
        for sub in selection.fields {
            switch sub.kind {
            case .member("edges")?: try writeRecordList(sub, page.records, asEdges: true, of: value, run: run)
            case .member("nodes")?: try writeRecordList(sub, page.records, asEdges: false, of: value, run: run)
            default: try writeMember(sub, of: value, typeName: typeName, run: run)
            }
        }
        run.writer.endObject()
    }

    /// Writes `edges` or `nodes`: one edge or node per record of the page.
    private func writeRecordList(
        _ field: FieldPlan, _ records: [ContentRecord], asEdges: Bool, of connection: ResolvedValue, run: Run
    ) throws(NullBubble) {
        guard let selection = field.selection, case .list(let element) = field.shape.nullable,
            case .object(let typeName) = element.nullable
        else {
            try writeMember(field, of: connection, typeName: "", run: run)
            return
        }
        try writeKeyed(field, run: run) { () throws(NullBubble) in
            run.writer.beginArray()
            for index in records.indices {
                try writeIndexed(index, nonNull: element.isNonNull, run: run) { () throws(NullBubble) in
                    if asEdges {
                        try writeEdge(selection, records[index], typeName: typeName, run: run)
                    } else {
                        try writeRecord(selection, records[index], typeName: typeName, run: run)
                    }
                }
            }
            run.writer.endArray()
        }
    }

    /// Writes a record's list of blocks, each block's `__typename` and members read straight from
    /// its JSON object (anything else — a block of an unknown type, a member that is not a leaf —
    /// takes the general path).
    private func writeBlocks(
        _ field: FieldPlan, _ plan: BlockListPlan, _ blocks: [JSONValue], run: Run
    ) throws(NullBubble) {
        try writeKeyed(field, run: run) { () throws(NullBubble) in
            run.writer.beginArray()
            for index in blocks.indices {
                try writeIndexed(index, nonNull: plan.element.isNonNull, run: run) { () throws(NullBubble) in
                    guard case .object(let members) = blocks[index], case .string(let blockType)? = members["type"],
                        let block = plan.block(blockType)
                    else {
                        try writeValue(plan.element, .json(blocks[index]), field, run: run)
                        return
                    }
                    run.writer.beginObject()
                    for sub in block.selection.fields {
                        switch (sub.leaf, sub.kind) {
                        case (let leaf?, nil):
                            try writeDirectLeaf(sub, leaf, .string(block.typeName), run: run)
                        case (let leaf?, .member(let name)?):
                            try writeDirectLeaf(sub, leaf, members[name] ?? .null, run: run)
                        default:
                            try writeMember(sub, of: .json(blocks[index]), typeName: block.typeName, run: run)
                        }
                    }
                    run.writer.endObject()
                }
            }
            run.writer.endArray()
        }
    }

    /// Writes an edge: its cursor and its node.
    private func writeEdge(
        _ selection: SelectionPlan, _ record: ContentRecord, typeName: String, run: Run
    ) throws(NullBubble) {
        run.writer.beginObject()
        for sub in selection.fields {
            switch sub.kind {
            case .member("node")?:
                try writeRecordField(sub, record, run: run)
            case .member("cursor")? where sub.leaf != nil:
                try writeDirectLeaf(sub, sub.leaf!, record.cursor.map(JSONValue.string) ?? .null, run: run)
            default:
                try writeMember(sub, of: .edge(record), typeName: typeName, run: run)
            }
        }
        run.writer.endObject()
    }

    /// Writes one field of an object value: the general path, for every kind of value.
    private func writeMember(_ sub: FieldPlan, of value: ResolvedValue, typeName: String, run: Run) throws(NullBubble) {
        if let leaf = sub.leaf, let json = Self.directLeaf(sub, of: value, typeName: typeName) {
            try writeDirectLeaf(sub, leaf, json, run: run)
            return
        }
        let child: Result<ResolvedValue, GraphQLFieldError>
        if let kind = sub.kind {
            switch kind {
            case .system, .value:
                if case .record(let record) = value {
                    child = .success(ResolvedValue.recordField(kind, of: record))
                } else {
                    child = .success(.null)
                }
            case .reference(let referenceField, _):
                if let error = run.relationErrors[sub.id] {
                    child = .failure(error)
                } else if case .record(let record) = value,
                    let target = run.loadedReference(sub, referenceField, of: record)
                {
                    child = .success(.record(target))
                } else {
                    child = .success(.null)
                }
            case .reverse:
                if let error = run.relationErrors[sub.id] {
                    child = .failure(error)
                } else if case .record(let record) = value, let connection = run.reverse[sub.id]?[record.id] {
                    child = .success(.connection(connection))
                } else {
                    child = .success(
                        .connection(
                            ConnectionValue(records: [], totalCount: 0, hasNextPage: false, hasPreviousPage: false))
                    )
                }
            case .member(let name):
                child = .success(value.member(name))
            default:
                child = .success(.null)
            }
        } else {
            child = .success(.json(.string(typeName)))
        }
        try writeField(sub, child, run: run)
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
