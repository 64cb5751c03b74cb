public import AtomoContent
public import AtomoSchema

/// A module's contribution to the per-role GraphQL schemas: types, and root query, mutation and
/// subscription fields with their resolvers.
///
/// A ``GraphQLService`` builds every role schema from the declared schema and then asks each of its
/// parts to add what that audience may see: a part asks ``GraphQLPartBuilder/holds(_:)`` for the
/// platform capability its fields need, so a role without it does not even see the fields (and
/// validation refuses them), and its resolvers ask ``GraphQLPartRequest/require(_:)`` again at run
/// time, through the engine's policy. Both executors run contributed fields: the planned executor
/// and the GraphQL library's (``GraphQLExecutorKind/reference``). The platform's own fields — `me`,
/// the audit log, users and sessions, the event log — are the part ``PlatformSchemaPart``; AtomoJobs,
/// AtomoSync and the operations console add theirs the same way, without editing the builder.
///
/// ```swift
/// struct ClockPart: GraphQLSchemaPart {
///     var name: String { "clock" }
///     func contribute(to builder: GraphQLPartBuilder) throws {
///         guard builder.holds(.readMetrics) else { return }
///         let tick = builder.object("Tick", description: "The server's clock.", members: [
///             .init("iso", GraphQLNonNull(GraphQLString)),
///         ])
///         builder.query("serverTime", GraphQLNonNull(tick)) { request in
///             try request.require(.readMetrics)
///             return ["iso": .string(Date().formatted(.iso8601))]
///         }
///     }
/// }
/// let service = GraphQLService(engine: engine, parts: [ClockPart()])
/// ```
public protocol GraphQLSchemaPart: Sendable {
    /// The part's name, unique among a service's parts: it names the part in build errors.
    var name: String { get }

    /// Adds the types and root fields that `builder`'s audience may see.
    ///
    /// Called once per audience and declared schema (role schemas are cached), on the thread that
    /// builds the schema. Throw ``GraphQLSchemaBuildError`` (or any error) to refuse the schema.
    func contribute(to builder: GraphQLPartBuilder) throws
}

/// What a contributed field's resolver is given: who asks, the field's arguments (variables
/// applied, coerced to the declared types), and the content engine the service serves.
public struct GraphQLPartRequest: Sendable {
    /// Who is asking.
    public let principal: Principal
    /// The field's arguments, by name; arguments the request left out are absent.
    public let arguments: [String: JSONValue]
    /// The content engine (its policy, its event store, its records).
    public let engine: ContentEngine
    /// The role schema the request was validated against.
    public let schema: RoleSchema

    /// Creates a request (the executors do; tests of a part may too).
    public init(principal: Principal, arguments: [String: JSONValue], engine: ContentEngine, schema: RoleSchema) {
        self.principal = principal
        self.arguments = arguments
        self.engine = engine
        self.schema = schema
    }

    /// Throws `FORBIDDEN` unless the engine's policy grants the principal `capability`.
    public func require(_ capability: PlatformCapability) throws(GraphQLFieldError) {
        if case .deny(let reason) = engine.policy.decide(capability, for: principal) {
            throw GraphQLFieldError(.forbidden, reason)
        }
    }
}

/// Resolves a contributed query or mutation field to its value: a JSON leaf, a JSON object whose
/// members the field's object type reads by name (see ``GraphQLPartBuilder/object(_:description:members:)``),
/// an array of them, or null. A thrown ``GraphQLFieldError`` reaches the client with its code and
/// message; any other error is `INTERNAL_SERVER_ERROR` without detail.
public typealias GraphQLPartResolve = @Sendable (GraphQLPartRequest) async throws -> JSONValue

/// Starts a contributed subscription field: each element of the stream is one result, shaped as a
/// ``GraphQLPartResolve`` value; errors are treated as there. The stream ends when the subscriber goes away (its iterating task is
/// cancelled) or when it finishes.
public typealias GraphQLPartSubscribe = @Sendable (GraphQLPartRequest) async throws -> AsyncStream<JSONValue>

/// A contributed root field's behaviour, kept in the role schema by parent type and field name.
enum ContributedResolver: Sendable {
    case resolve(GraphQLPartResolve)
    case subscribe(GraphQLPartSubscribe)
}

/// Where a contributed root field sits: its part, its parent (`Query`, `Mutation`, `Subscription`)
/// and its name.
public struct ContributedField: Sendable, Hashable {
    /// The contributing part's name.
    public let part: String
    /// The root type: `Query`, `Mutation` or `Subscription`.
    public let parent: String
    /// The field's name.
    public let name: String
}
