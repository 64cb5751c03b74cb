import AtomoContent
import AtomoEvents
public import AtomoSchema
import GraphQL

/// How a subscription request starts.
public enum GraphQLSubscriptionStart: Sendable {
    /// A live stream of results, one per delivered change; it ends when the caller stops iterating
    /// (cancel the iterating task) or the engine stops.
    case stream(AsyncStream<GraphQLResponse>)
    /// A query or mutation sent over a subscription transport: its one result.
    case single(GraphQLResponse)
    /// The request was rejected before it started (parse, validation, variables, limits).
    case rejected(GraphQLResponse)
}

extension GraphQLService {
    /// Starts a subscription: `contactChanged(id:)` delivers every later change to that record,
    /// `contactsChanged(where:)` every later change to a record that matches the filter after the
    /// change (a deletion is delivered if the record was delivered before on this subscription, or
    /// when there is no filter). Changes come from the engine's change feed, starting at the log's
    /// head, and each is delivered only if the subscriber may read the record, with the fields it
    /// may read.
    public func subscribe(_ request: GraphQLRequest, as principal: Principal) async -> GraphQLSubscriptionStart {
        let prepared: PreparedOperation
        do {
            prepared = try prepare(request, principal: principal)
        } catch {
            return .rejected(rejection(error, request: request, principal: principal))
        }
        guard prepared.operationType == .subscription else {
            return .single(await execute(request, as: principal))
        }
        let variables: [String: JSONValue]
        let plan: OperationPlan
        do throws(GraphQLRequestError) {
            variables = try InputCoercion.variables(
                prepared.operation.variableDefinitions, request.variables, schema: prepared.schema.graphQLSchema)
            plan = try self.plan(prepared, request: request, variables: variables)
        } catch {
            return .rejected(GraphQLResponse(requestError: error))
        }
        guard plan.root.fields.count == 1, let field = plan.root.fields.first, let kind = field.kind else {
            return .rejected(
                GraphQLResponse(
                    requestError: GraphQLRequestError(
                        .validationFailed, "a subscription selects exactly one root field")))
        }
        let resolver = ContentFieldResolver(
            engine: engine, principal: principal, schema: prepared.schema, limits: limits)
        let executor = PlanExecutor(plan: plan, resolver: resolver, variables: variables)
        let arguments: [String: JSONValue]
        do throws(GraphQLFieldError) {
            arguments = try executor.arguments(field)
        } catch {
            return .rejected(GraphQLResponse(requestError: GraphQLRequestError(error.code, error.message)))
        }
        if case .contributed(let contributed) = kind {
            return await contributedFeed(
                contributed, arguments: arguments, principal: principal, schema: prepared.schema, executor: executor)
        }
        let matcher: ChangeMatcher
        switch kind {
        case .changed(let entity):
            matcher = ChangeMatcher(entity: entity, id: arguments["id"]?.stringValue, filter: nil)
        case .listChanged(let entity):
            guard let view = prepared.schema.view.entity(entity) else {
                return .rejected(
                    GraphQLResponse(requestError: GraphQLRequestError(.forbidden, "\(entity) is not readable")))
            }
            do throws(GraphQLFieldError) {
                let filter = try QueryArguments.filter(arguments["where"], entity: view, view: prepared.schema.view)
                matcher = ChangeMatcher(entity: entity, id: nil, filter: filter)
            } catch {
                return .rejected(GraphQLResponse(requestError: GraphQLRequestError(error.code, error.message)))
            }
        default:
            return .rejected(
                GraphQLResponse(requestError: GraphQLRequestError(.validationFailed, "not a subscription field")))
        }

        let head: Int64
        do {
            head = try await engine.events.headPosition()
        } catch {
            return .rejected(
                GraphQLResponse(requestError: GraphQLRequestError(.internalServerError, "internal server error")))
        }
        let engine = self.engine
        let feed = engine.changes(after: head)
        let (stream, continuation) = AsyncStream<GraphQLResponse>.makeStream(bufferingPolicy: .bufferingNewest(1_000))
        let task = Task {
            var delivered: Set<String> = []
            do {
                for try await change in feed {
                    if Task.isCancelled { break }
                    guard
                        let event = await matcher.event(
                            for: change, engine: engine, principal: principal, delivered: &delivered)
                    else { continue }
                    let run = PlanExecutor.Run()
                    await executor.prefetch(field, [.changeEvent(event)], run)
                    let outcome = executor.write(rootValues: [.success(.changeEvent(event))], run: run)
                    continuation.yield(GraphQLResponse(body: outcome.body, hasData: outcome.hasData))
                }
            } catch {}
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return .stream(stream)
    }
}

extension GraphQLService {
    /// A subscription field a ``GraphQLSchemaPart`` contributed: each value of the part's stream is
    /// written through the subscription's plan, like a query's root value.
    fileprivate func contributedFeed(
        _ field: ContributedField, arguments: [String: JSONValue], principal: Principal, schema: RoleSchema,
        executor: PlanExecutor
    ) async -> GraphQLSubscriptionStart {
        guard case .subscribe(let subscribe)? = schema.contributed[field] else {
            return .rejected(
                GraphQLResponse(requestError: GraphQLRequestError(.validationFailed, "not a subscription field")))
        }
        let values: AsyncStream<JSONValue>
        do {
            values = try await subscribe(
                GraphQLPartRequest(principal: principal, arguments: arguments, engine: engine, schema: schema))
        } catch {
            let fieldError = GraphQLFieldError.from(error)
            return .rejected(GraphQLResponse(requestError: GraphQLRequestError(fieldError.code, fieldError.message)))
        }
        let (stream, continuation) = AsyncStream<GraphQLResponse>.makeStream(bufferingPolicy: .bufferingNewest(1_000))
        let task = Task {
            for await value in values {
                if Task.isCancelled { break }
                let run = PlanExecutor.Run()
                let outcome = executor.write(rootValues: [.success(.json(value))], run: run)
                continuation.yield(GraphQLResponse(body: outcome.body, hasData: outcome.hasData))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return .stream(stream)
    }
}

/// Decides whether a change reaches one subscriber, and what it sees of it.
struct ChangeMatcher: Sendable {
    /// The change feed delivers an event when it commits; the read model shows it a moment later.
    /// Waits (up to about two seconds) until the read model holds the record at the change's
    /// version or later, so that filters and access rules are decided on the record after the change.
    static func waitForReadModel(entity: String, change: RecordChange, engine: ContentEngine) async {
        let query = RecordQuery(
            entity, filter: .field("id", .eq(.string(change.id))), page: .first(1), includeDeleted: true)
        var delay: Duration = .milliseconds(1)
        for _ in 0..<40 {
            if let record = try? await engine.list(query, as: .system).records.first, record.version >= change.version {
                return
            }
            if Task.isCancelled { return }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .milliseconds(100))
        }
    }

    let entity: String
    let id: String?
    let filter: RecordFilter?

    func event(
        for change: RecordChange, engine: ContentEngine, principal: Principal, delivered: inout Set<String>
    ) async
        -> ChangeEventValue?
    {
        guard change.entity == entity, id == nil || change.id == id else { return nil }
        var visible: RecordChange
        var record: ContentRecord?
        if change.kind == .deleted {
            // The record is gone: the engine decides from the change alone.
            guard filter == nil || delivered.contains(change.id),
                let allowed = engine.visibleChange(change, for: principal)
            else { return nil }
            visible = allowed
        } else {
            await Self.waitForReadModel(entity: entity, change: change, engine: engine)
            // The record as it is now, read as the principal, decides: rules that depend on the record
            // or the user apply, and the change shows only the fields the principal may read of it.
            if let filter {
                let query = RecordQuery(
                    entity, filter: .and([.field("id", .eq(.string(change.id))), filter]), page: .first(1))
                record = try? await engine.list(query, as: principal).records.first
            } else {
                record = try? await engine.get(entity, id: change.id, as: principal)
            }
            guard let current = record else { return nil }
            let readable = Set(current.fields.keys)
            visible = change
            visible.fields = change.fields.filter { readable.contains($0.key) }
            visible.previous = change.previous.filter { readable.contains($0.key) }
            // An update of hidden fields only does not exist for this principal.
            if change.kind == .updated && !change.fields.isEmpty && visible.fields.isEmpty { return nil }
            delivered.insert(change.id)
        }
        // For an update the change's fields are the changed ones; for a create, every field given.
        return ChangeEventValue(change: visible, changedFields: visible.fields.keys.sorted(), record: record)
    }
}
