public import AtomoSchema
public import GraphQL
import OrderedCollections

/// What a ``GraphQLSchemaPart`` adds its types and root fields through, for one audience.
///
/// Type names a part makes are its own: when the declared schema already uses one (an entity called
/// `Job`, say), the builder prefixes it with `Atomo` (``typeName(_:)``), as it does for the
/// platform's `User`. A root field whose name the schema already has (an entity's `jobs` list) is a
/// build error naming the part, never a silent replacement. Types made once are shared: asking for
/// the same object or input name again returns the first one.
///
/// A builder is only valid inside ``GraphQLSchemaPart/contribute(to:)``.
public final class GraphQLPartBuilder {
    /// One member of a contributed object type: read by name from the JSON object a resolver returns.
    public struct Member {
        /// The member's name (the JSON key and the GraphQL field name).
        public var name: String
        /// Its GraphQL type.
        public var type: any GraphQLOutputType
        /// Its description in the schema.
        public var description: String?

        /// A member called `name` of `type`.
        public init(_ name: String, _ type: any GraphQLOutputType, description: String? = nil) {
            self.name = name
            self.type = type
            self.description = description
        }
    }

    private let state: BuildState
    private let part: String
    var query = GraphQLFieldMap()
    var mutation = GraphQLFieldMap()
    var subscription = GraphQLFieldMap()
    var resolvers: [ContributedField: ContributedResolver] = [:]

    init(state: BuildState, part: String) {
        self.state = state
        self.part = part
    }

    /// What the audience sees of the declared schema (its roles, entities, fields).
    public var view: SchemaView { state.view }

    /// Whether the audience holds `capability` (``SchemaView/holds(_:)``): system code always, a set
    /// of roles when the schema grants it to one of them.
    public func holds(_ capability: PlatformCapability) -> Bool { state.view.holds(capability) }

    /// `name`, or `Atomo` + `name` when the declared schema already names a type so.
    public func typeName(_ name: String) -> String { state.platformName(name) }

    /// The schema's roles as an enum (`Role`, or `AtomoRole`).
    public var roleEnum: GraphQLEnumType { state.roleEnum }

    /// `ChangeKind`: `CREATED`, `UPDATED`, `DELETED`, `RESTORED`.
    public var changeKindEnum: GraphQLEnumType { state.changeKind }

    /// The `DateTime` scalar (ISO 8601 with a zone).
    public var dateTime: GraphQLScalarType { AtomoScalars.dateTime }

    /// The `JSON` scalar.
    public var json: GraphQLScalarType { AtomoScalars.json }

    /// An object type named ``typeName(_:)`` of `name` whose fields read the members of the JSON
    /// object a resolver returned.
    public func object(_ name: String, description: String? = nil, members: [Member]) -> GraphQLObjectType {
        state.object(typeName(name), description, members.map { ($0.name, $0.type, FieldKind.member($0.name)) })
    }

    /// An input object type named ``typeName(_:)`` of `name`; `fields` is called once, when the
    /// schema first needs them (so input types may refer to each other).
    public func input(
        _ name: String, description: String? = nil,
        fields: @escaping () -> KeyValuePairs<String, InputObjectField>
    ) -> GraphQLInputObjectType {
        state.input(typeName(name), description) {
            var map = InputObjectFieldMap()
            for (key, field) in fields() { map[key] = field }
            return map
        }
    }

    /// An enum type named ``typeName(_:)`` of `name`, whose values are the given strings.
    public func enumType(_ name: String, values: [String], description: String? = nil) -> GraphQLEnumType {
        state.enumType(typeName(name), values, description)
    }

    /// Adds the root query field `name`.
    public func query(
        _ name: String, _ type: any GraphQLOutputType, arguments: KeyValuePairs<String, GraphQLArgument> = [:],
        description: String? = nil, resolve: @escaping GraphQLPartResolve
    ) {
        add(name, type, parent: "Query", arguments: arguments, description: description, .resolve(resolve))
    }

    /// Adds the root mutation field `name`.
    public func mutation(
        _ name: String, _ type: any GraphQLOutputType, arguments: KeyValuePairs<String, GraphQLArgument> = [:],
        description: String? = nil, resolve: @escaping GraphQLPartResolve
    ) {
        add(name, type, parent: "Mutation", arguments: arguments, description: description, .resolve(resolve))
    }

    /// Adds the root subscription field `name`; `type` is the type of each result.
    public func subscription(
        _ name: String, _ type: any GraphQLOutputType, arguments: KeyValuePairs<String, GraphQLArgument> = [:],
        description: String? = nil, subscribe: @escaping GraphQLPartSubscribe
    ) {
        add(name, type, parent: "Subscription", arguments: arguments, description: description, .subscribe(subscribe))
    }

    private func add(
        _ name: String, _ type: any GraphQLOutputType, parent: String,
        arguments: KeyValuePairs<String, GraphQLArgument>, description: String?, _ resolver: ContributedResolver
    ) {
        var args = GraphQLArgumentConfigMap()
        for (key, argument) in arguments { args[key] = argument }
        let key = ContributedField(part: part, parent: parent, name: name)
        if let existing = state.kinds[parent]?[name] {
            let owner = if case .contributed(let other) = existing { "the part '\(other.part)'" } else { "the schema" }
            state.problems.append("the part '\(part)' adds \(parent).\(name), which \(owner) already has")
            return
        }
        let field = state.field(
            type, .contributed(key), parent: parent, name: name, args: args, description: description)
        switch parent {
        case "Query": query[name] = field
        case "Mutation": mutation[name] = field
        default: subscription[name] = field
        }
        resolvers[key] = resolver
    }
}
