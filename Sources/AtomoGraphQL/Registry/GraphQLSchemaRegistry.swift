public import AtomoSchema
import Synchronization

/// The GraphQL schemas of the current declared schema, one per audience, built on first use and
/// cached; ``replace(schema:)`` swaps in a new declared schema atomically (hot reload).
///
/// A request takes one ``RoleSchema`` at its start and keeps it to the end, so a reload never changes
/// the schema under a running request; the next request sees the new one.
///
/// ```swift
/// let registry = GraphQLSchemaRegistry(schema: crm)
/// let sales = try registry.schema(for: .role("Sales"))
/// registry.replace(schema: crmWithDeals)        // later requests see the new schema
/// ```
public final class GraphQLSchemaRegistry: Sendable {
    private struct State {
        var schema: Schema
        var generation: Int
        var built: [SchemaAudience: RoleSchema]
    }

    private let state: Mutex<State>
    private let resolvers: RoleSchemaBuilder.ResolverFactory
    /// The parts every schema includes after the declared schema's types (see ``GraphQLSchemaPart``).
    public let parts: [any GraphQLSchemaPart]

    /// Creates a registry for `schema` with `parts` (by default the platform's, without user
    /// management); `resolvers` gives fields their reference-executor resolvers.
    public init(
        schema: Schema, parts: [any GraphQLSchemaPart] = [PlatformSchemaPart()],
        resolvers: @escaping RoleSchemaBuilder.ResolverFactory = ReferenceResolvers.factory
    ) {
        state = Mutex(State(schema: schema, generation: 0, built: [:]))
        self.parts = parts
        self.resolvers = resolvers
    }

    /// The current declared schema.
    public var schema: Schema { state.withLock { $0.schema } }

    /// The number of times the schema has been replaced.
    public var generation: Int { state.withLock { $0.generation } }

    /// The GraphQL schema for `audience`, built on first use.
    ///
    /// - Throws: ``GraphQLSchemaBuildError`` when the declared schema cannot be expressed in GraphQL.
    public func schema(for audience: SchemaAudience) throws(GraphQLSchemaBuildError) -> RoleSchema {
        let (schema, generation, cached) = state.withLock { ($0.schema, $0.generation, $0.built[audience]) }
        if let cached { return cached }
        // Built outside the lock: two requests may build the same schema at once, and the first to
        // finish is kept; a build for a replaced schema is returned to its caller but not cached.
        let built = try RoleSchemaBuilder(
            view: SchemaView(schema: schema, audience: audience), parts: parts, resolvers: resolvers
        ).build()
        return state.withLock { state in
            guard state.generation == generation else { return built }
            if let raced = state.built[audience] { return raced }
            state.built[audience] = built
            return built
        }
    }

    /// The GraphQL schema for a principal: its roles' (or the system's).
    public func schema(for principal: Principal) throws(GraphQLSchemaBuildError) -> RoleSchema {
        try schema(for: SchemaAudience(principal: principal))
    }

    /// Replaces the declared schema: every cached GraphQL schema is dropped at once, and the next
    /// request of each audience builds from `schema`. Requests already running keep theirs.
    ///
    /// - Throws: ``GraphQLSchemaBuildError`` if `schema` cannot be expressed in GraphQL (checked by
    ///   building the system audience's schema first); the current schema then stays.
    public func replace(schema: Schema) throws(GraphQLSchemaBuildError) {
        let system = try RoleSchemaBuilder(
            view: SchemaView(schema: schema, audience: .system), parts: parts, resolvers: resolvers
        ).build()
        state.withLock { state in
            state.schema = schema
            state.generation += 1
            state.built = [.system: system]
        }
    }
}
