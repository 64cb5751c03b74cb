public import AtomoAuth
public import AtomoContent
public import AtomoSchema
import Foundation
import GraphQL
import Synchronization

/// Atomo's GraphQL API over a content engine, transport-neutral: give it a request and the principal
/// making it, get the response's JSON bytes. ``GraphQLHTTPHandler`` (GraphQL over HTTP) and
/// ``GraphQLTransportWSConnection`` (graphql-transport-ws) are built on it.
///
/// Each request is checked against ``GraphQLLimits`` (size and nesting before parsing; aliases,
/// depth, fields and cost before validation), validated against the principal's role schema, and
/// executed by the planned executor: each validated operation is compiled once (cached by schema,
/// document and operation) into a plan that loads each level of the selection with one read-model
/// query and writes JSON directly. Introspection runs on the GraphQL library's executor, which
/// ``GraphQLExecutorKind/reference`` also selects for everything (differential tests).
///
/// ```swift
/// let service = GraphQLService(engine: engine)
/// let response = await service.execute(GraphQLRequest(query: "{ contacts { totalCount } }"), as: principal)
/// response.body   // {"data":{"contacts":{"totalCount":42}}}
/// ```
public final class GraphQLService: Sendable {
    /// The content engine queries and mutations go to.
    public let engine: ContentEngine
    /// The per-audience schemas; ``replaceSchema(_:)`` swaps them.
    public let registry: GraphQLSchemaRegistry
    /// The limits every request is checked against.
    public let limits: GraphQLLimits
    /// Which executor runs operations.
    public let executor: GraphQLExecutorKind
    /// Serves the platform's user management (`users`, `createUser`, `updateUser`, `sessions`) when set.
    public let authenticator: Authenticator?

    private struct CachedDocument: Sendable {
        let document: Document
        let errors: [GraphQLRequestError]
        let directiveVariables: [String]
        let usesIntrospection: Bool
    }

    private struct PlanKey: Hashable, Sendable {
        let schema: String
        let query: String
        let operationName: String?
        let directiveValues: [JSONValue?]
    }

    private let documents = Mutex<[String: CachedDocument]>([:])
    private let plans = Mutex<[PlanKey: OperationPlan]>([:])
    private static let cacheLimit = 1_000

    /// Creates the service for `engine`'s schema (or `schema`, when the engine's is to be replaced later);
    /// with an `authenticator`, the platform schema includes user management. `parts` add their types
    /// and root fields after the platform's (``PlatformSchemaPart``), in order.
    public init(
        engine: ContentEngine, schema: Schema? = nil, authenticator: Authenticator? = nil,
        parts: [any GraphQLSchemaPart] = [], limits: GraphQLLimits = GraphQLLimits(),
        executor: GraphQLExecutorKind = .planned
    ) {
        self.engine = engine
        self.authenticator = authenticator
        self.registry = GraphQLSchemaRegistry(
            schema: schema ?? engine.schema, parts: [PlatformSchemaPart(authenticator: authenticator)] + parts)
        self.limits = limits
        self.executor = executor
    }

    /// Serves `schema` from the next request on (hot reload): the role schemas and compiled plans
    /// of the old schema are dropped at once. Migrating the engine's read models
    /// (``ContentEngine/replaceSchema(_:)``) is the host's step before this one.
    public func replaceSchema(_ schema: Schema) throws(GraphQLSchemaBuildError) {
        try registry.replace(schema: schema)
        plans.withLock { $0.removeAll() }
        documents.withLock { $0.removeAll() }
    }

    /// The role schema `principal` sees.
    public func schema(for principal: Principal) throws(GraphQLSchemaBuildError) -> RoleSchema {
        try registry.schema(for: principal)
    }

    // MARK: Execution

    /// Executes a query or mutation (subscriptions go through ``subscribe(_:as:)``).
    ///
    /// - Parameter allowedOperations: the operation types this transport allows (GET allows only queries).
    public func execute(
        _ request: GraphQLRequest, as principal: Principal,
        allowedOperations: Set<GraphQLOperationType> = [.query, .mutation]
    ) async -> GraphQLResponse {
        let response = await executePrepared(request, as: principal, allowedOperations: allowedOperations)
        if principal.isAnonymous, let error = response.requestError, error.code == .validationFailed {
            return rejection(error, request: request, principal: principal)
        }
        return response
    }

    private func executePrepared(
        _ request: GraphQLRequest, as principal: Principal, allowedOperations: Set<GraphQLOperationType>
    ) async -> GraphQLResponse {
        let prepared: PreparedOperation
        do {
            prepared = try prepare(request, principal: principal)
        } catch {
            return rejection(error, request: request, principal: principal)
        }
        guard allowedOperations.contains(prepared.operationType) else {
            return GraphQLResponse(
                requestError: GraphQLRequestError(
                    .badRequest,
                    prepared.operationType == .subscription
                        ? "subscriptions need a graphql-transport-ws connection"
                        : "\(prepared.operationType.rawValue) operations are not allowed over this method (use POST)"),
                status: prepared.operationType == .subscription ? 400 : 405)
        }
        // The planned executor checks its deadline before every read-model query; the library's
        // executor is raced against a timer.
        if executor == .reference || prepared.usesIntrospection {
            return await Self.withTimeout(limits.executionTimeout) {
                await self.run(prepared, request: request, principal: principal)
            }
        }
        return await run(prepared, request: request, principal: principal)
    }

    /// The response for a request that cannot start. An anonymous caller whose document does not
    /// validate against its (deny-by-default) schema, but would for a signed-in user, is told to
    /// authenticate (`UNAUTHENTICATED`, 401) rather than that the fields do not exist.
    func rejection(_ error: GraphQLRequestError, request: GraphQLRequest, principal: Principal) -> GraphQLResponse {
        guard principal.isAnonymous, error.code == .validationFailed else { return GraphQLResponse(requestError: error) }
        let signedIn = Principal(userID: "", roles: engine.schema.roles)
        guard (try? prepare(request, principal: signedIn)) != nil else { return GraphQLResponse(requestError: error) }
        return GraphQLResponse(
            requestError: GraphQLRequestError(
                .unauthenticated, "authentication required: this operation needs a bearer token"),
            status: 401)
    }

    /// What a request resolved to before execution.
    struct PreparedOperation: Sendable {
        let schema: RoleSchema
        let document: Document
        let operation: OperationDefinition
        let operationType: GraphQLOperationType
        let directiveVariables: [String]
        let usesIntrospection: Bool
    }

    /// Size, nesting, parse, limits, validation and the choice of operation; cached per document.
    func prepare(_ request: GraphQLRequest, principal: Principal) throws(GraphQLRequestError) -> PreparedOperation {
        let query = request.query
        guard query.utf8.count <= limits.maxDocumentBytes else {
            throw GraphQLRequestError(.limitExceeded, "the document is larger than \(limits.maxDocumentBytes) bytes")
        }
        let schema: RoleSchema
        do {
            schema = try registry.schema(for: principal)
        } catch {
            throw GraphQLRequestError(.internalServerError, "internal server error")
        }
        let cacheKey = schema.fingerprint + "\u{0}" + schema.audience.description + "\u{0}" + query
        let cached: CachedDocument
        if let hit = documents.withLock({ $0[cacheKey] }) {
            cached = hit
        } else {
            try DocumentScan.check(query, limits: limits)
            let document: Document
            do {
                document = try parse(source: Source(body: query, name: "GraphQL request"))
            } catch let error as GraphQLError {
                throw GraphQLRequestError(
                    .parseFailed, error.message,
                    location: error.locations.first.map { SourcePosition(line: $0.line, column: $0.column) })
            } catch {
                throw GraphQLRequestError(.parseFailed, "the document could not be parsed")
            }
            try DocumentLimitCheck.check(document, variables: request.variables, limits: limits)
            var rules = specifiedRules
            if !limits.introspection { rules.append(NoSchemaIntrospectionCustomRule) }
            let errors = GraphQL.validate(schema: schema.graphQLSchema, ast: document, rules: rules).map { error in
                GraphQLRequestError(
                    .validationFailed, error.message,
                    location: error.locations.first.map { SourcePosition(line: $0.line, column: $0.column) })
            }
            cached = CachedDocument(
                document: document, errors: errors, directiveVariables: PlanCompiler.directiveVariables(document),
                usesIntrospection: Self.usesIntrospection(document))
            documents.withLock { cache in
                if cache.count >= Self.cacheLimit { cache.removeAll() }
                cache[cacheKey] = cached
            }
        }
        // The cost estimate reads `first`/`last` variables, so it is checked for every request.
        if !request.variables.isEmpty {
            try DocumentLimitCheck.check(cached.document, variables: request.variables, limits: limits)
        }
        if let first = cached.errors.first {
            throw first
        }
        let operations = cached.document.definitions.compactMap { $0 as? OperationDefinition }
        let operation: OperationDefinition
        if let name = request.operationName {
            guard let named = operations.first(where: { $0.name?.value == name }) else {
                throw GraphQLRequestError(.badRequest, "the document has no operation named \(name)")
            }
            operation = named
        } else {
            guard operations.count == 1, let only = operations.first else {
                throw GraphQLRequestError(
                    .badRequest, "the document has several operations: name one with operationName")
            }
            operation = only
        }
        return PreparedOperation(
            schema: schema, document: cached.document, operation: operation,
            operationType: GraphQLOperationType(operation.operation), directiveVariables: cached.directiveVariables,
            usesIntrospection: cached.usesIntrospection)
    }

    private func run(
        _ prepared: PreparedOperation, request: GraphQLRequest, principal: Principal
    ) async -> GraphQLResponse {
        let resolver = ContentFieldResolver(
            engine: engine, principal: principal, schema: prepared.schema, limits: limits)
        if executor == .reference || prepared.usesIntrospection {
            return await runReference(prepared, request: request, resolver: resolver)
        }
        let variables: [String: JSONValue]
        do {
            variables = try InputCoercion.variables(
                prepared.operation.variableDefinitions, request.variables, schema: prepared.schema.graphQLSchema)
        } catch {
            return GraphQLResponse(requestError: error)
        }
        let plan: OperationPlan
        do {
            plan = try self.plan(prepared, request: request, variables: variables)
        } catch {
            return GraphQLResponse(requestError: error)
        }
        var executor = PlanExecutor(plan: plan, resolver: resolver, variables: variables)
        executor.deadline = ContinuousClock.now.advanced(by: limits.executionTimeout)
        executor.timeout = limits.executionTimeout
        let outcome = await executor.run()
        return GraphQLResponse(body: outcome.body, hasData: outcome.hasData)
    }

    func plan(
        _ prepared: PreparedOperation, request: GraphQLRequest, variables: [String: JSONValue]
    ) throws(GraphQLRequestError)
        -> OperationPlan
    {
        let key = PlanKey(
            schema: prepared.schema.fingerprint + "\u{0}" + prepared.schema.audience.description, query: request.query,
            operationName: request.operationName, directiveValues: prepared.directiveVariables.map { variables[$0] })
        if let cached = plans.withLock({ $0[key] }) { return cached }
        var compiler = PlanCompiler(schema: prepared.schema, document: prepared.document, variables: variables)
        let plan = try compiler.compile(prepared.operation)
        plans.withLock { cache in
            if cache.count >= Self.cacheLimit { cache.removeAll() }
            cache[key] = plan
        }
        return plan
    }

    private func runReference(
        _ prepared: PreparedOperation, request: GraphQLRequest, resolver: ContentFieldResolver
    ) async
        -> GraphQLResponse
    {
        do {
            var result = try await InputValueDeprecation.execute(
                schema: prepared.schema.graphQLSchema, document: prepared.document, query: request.query,
                context: ReferenceContext(resolver: resolver),
                variableValues: request.variables.mapValues(\.graphQLMap),
                operationName: request.operationName)
            if result.data == nil {
                // Errors without a path stopped the request before execution (variables); errors with
                // one are field errors that nulled the root, which the response shows as `data: null`.
                guard result.errors.contains(where: { !$0.path.elements.isEmpty }) else {
                    let message = result.errors.first?.message ?? "the request could not be executed"
                    return GraphQLResponse(requestError: GraphQLRequestError(.badUserInput, message))
                }
                result.data = Map.null
            }
            return GraphQLResponse(
                body: Array(try GraphQLJSONEncoder().encode(result)), hasData: result.data != Map.null)
        } catch {
            return GraphQLResponse(requestError: GraphQLRequestError(.internalServerError, "internal server error"))
        }
    }

    private static func usesIntrospection(_ document: Document) -> Bool {
        func visit(_ set: SelectionSet) -> Bool {
            set.selections.contains { selection in
                if let field = selection as? GraphQL.Field {
                    if field.name.value == "__schema" || field.name.value == "__type" { return true }
                    return field.selectionSet.map(visit) ?? false
                }
                if let inline = selection as? InlineFragment { return visit(inline.selectionSet) }
                return false
            }
        }
        return document.definitions.contains { definition in
            if let operation = definition as? OperationDefinition { return visit(operation.selectionSet) }
            if let fragment = definition as? FragmentDefinition { return visit(fragment.selectionSet) }
            return false
        }
    }

    /// Runs `body`, or answers with a `TIMEOUT` error once `timeout` has passed (the body is cancelled).
    static func withTimeout(
        _ timeout: Duration, _ body: @escaping @Sendable () async -> GraphQLResponse
    ) async -> GraphQLResponse {
        await withTaskGroup(of: GraphQLResponse?.self) { group in
            group.addTask { await body() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
                ?? GraphQLResponse(
                    body: GraphQLResponse.errorBody(
                        GraphQLRequestError(.timeout, "the operation took longer than \(timeout)"), withNullData: true),
                    hasData: false)
        }
    }
}

/// The executors ``GraphQLService`` can run operations with.
public enum GraphQLExecutorKind: Sendable, Hashable {
    /// Atomo's planned executor (the default): one read-model query per level, JSON written directly.
    case planned
    /// The GraphQL library's executor with Atomo's resolvers: the reference the planned one is tested against.
    case reference
}

/// The three kinds of GraphQL operation.
public enum GraphQLOperationType: String, Sendable, Hashable, CaseIterable {
    /// `query`.
    case query
    /// `mutation`.
    case mutation
    /// `subscription`.
    case subscription

    init(_ type: OperationType) {
        switch type {
        case .query: self = .query
        case .mutation: self = .mutation
        case .subscription: self = .subscription
        }
    }
}
