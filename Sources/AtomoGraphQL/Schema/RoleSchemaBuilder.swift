import AtomoSchema
import Foundation
public import GraphQL
import OrderedCollections

/// Builds the GraphQL schema one audience sees from a declared schema.
///
/// For every entity the audience may read: an object type with `id`, the readable declared fields,
/// `version: Int!`, `createdAt`, `updatedAt`, `createdBy`, `updatedBy`, references as objects
/// (`Contact.company`) and reverse relations as connections (`Company.contacts`); the queries
/// `contact`, `contacts`, `contactsAggregate`, `contactHistory`; the mutations the audience may ever
/// perform; the subscriptions `contactChanged` and `contactsChanged`. Enums become enums, each
/// block union a union (`Block = Paragraph | CallLog`) with a one-of input, and the scalars
/// `DateTime` and `JSON` are declared.
///
/// ```swift
/// let built = try RoleSchemaBuilder(view: SchemaView(schema: crm, audience: .role("Sales"))).build()
/// built.graphQLSchema   // validate, introspect, execute
/// ```
public struct RoleSchemaBuilder {
    /// Supplies the resolver for each kind of field (the reference executor's); nil uses the library's default.
    public typealias ResolverFactory = @Sendable (FieldKind) -> GraphQLFieldResolve?

    /// The view to build from.
    public let view: SchemaView
    /// The parts that add their types and root fields after the declared schema's (by default the
    /// platform's: ``PlatformSchemaPart``), in order.
    public let parts: [any GraphQLSchemaPart]
    private let resolvers: ResolverFactory

    /// Creates a builder; `resolvers` gives each field its resolver for the library's executor
    /// (by default Atomo's reference resolvers, which read a request's content through the context).
    public init(
        view: SchemaView, parts: [any GraphQLSchemaPart] = [PlatformSchemaPart()],
        resolvers: @escaping ResolverFactory = ReferenceResolvers.factory
    ) {
        self.view = view
        self.parts = parts
        self.resolvers = resolvers
    }

    /// Creates a builder with the platform part only, with or without its user management
    /// (`users`, `createUser`, `updateUser`, `sessions`; see ``PlatformSchemaPart``).
    public init(
        view: SchemaView, userManagement: Bool, resolvers: @escaping ResolverFactory = ReferenceResolvers.factory
    ) {
        self.init(view: view, parts: [PlatformSchemaPart(userManagement: userManagement)], resolvers: resolvers)
    }

    /// Builds the schema.
    ///
    /// - Throws: ``GraphQLSchemaBuildError`` when a declared name is not a valid GraphQL name (an
    ///   enum value with a space, say), a part adds a root field the schema already has, a part
    ///   throws, or the library rejects the schema.
    public func build() throws(GraphQLSchemaBuildError) -> RoleSchema {
        let state = BuildState(view: view, resolvers: resolvers)
        state.parts = parts
        do {
            let schema = try state.build()
            let errors = validateSchema(schema: schema)
            guard errors.isEmpty else { throw GraphQLSchemaBuildError.invalid(errors.map(\.message)) }
            return RoleSchema(
                view: view, graphQLSchema: schema, fingerprint: view.schema.fingerprint, fieldKinds: state.kinds,
                contributed: state.contributed)
        } catch let error as GraphQLSchemaBuildError {
            throw error
        } catch {
            throw GraphQLSchemaBuildError.invalid(["\(error)"])
        }
    }
}

/// A declared schema that cannot be expressed in GraphQL.
public enum GraphQLSchemaBuildError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems the library or the builder found.
    case invalid([String])

    /// The problems, one per line.
    public var description: String {
        switch self {
        case .invalid(let problems): "the schema cannot be expressed in GraphQL: " + problems.joined(separator: "; ")
        }
    }
}

/// The mutable state of one build: the named types made so far and the kind of every field.
///
/// Object and input types refer to each other in cycles (`Contact.company`, `Company.contacts`), so
/// their fields are thunks that read this state when the library's schema resolves them. The
/// library calls input types' thunks again on every use, so they hold the state strongly; a built
/// schema keeps its state alive (a few kilobytes per audience and schema version). Parts add to it
/// through a ``GraphQLPartBuilder``.
final class BuildState {
    let view: SchemaView
    let resolvers: RoleSchemaBuilder.ResolverFactory
    var kinds: [String: [String: FieldKind]] = [:]
    /// Serialises the evaluation of field thunks (see ``memoized(_:)``).
    let thunkLock = NSRecursiveLock()
    var objects: [String: GraphQLObjectType] = [:]
    var inputs: [String: GraphQLInputObjectType] = [:]
    var enums: [String: GraphQLEnumType] = [:]
    var unions: [String: GraphQLUnionType] = [:]
    var blockInputs: [String: GraphQLInputObjectType] = [:]
    var reservedNames: Set<String> = []
    var parts: [any GraphQLSchemaPart] = []
    var contributed: [ContributedField: ContributedResolver] = [:]

    init(view: SchemaView, resolvers: @escaping RoleSchemaBuilder.ResolverFactory) {
        self.view = view
        self.resolvers = resolvers
        reservedNames = Set(
            view.schema.entities.map(\.name) + view.schema.enums.map(\.name) + view.schema.blocks.map(\.name))
    }

    // MARK: Shared types

    lazy var pageInfo: GraphQLObjectType = object(
        "PageInfo", "Where a page sits in its list (Relay cursor connections).",
        [
            ("hasNextPage", GraphQLNonNull(GraphQLBoolean), .member("hasNextPage")),
            ("hasPreviousPage", GraphQLNonNull(GraphQLBoolean), .member("hasPreviousPage")),
            ("startCursor", GraphQLString, .member("startCursor")),
            ("endCursor", GraphQLString, .member("endCursor")),
        ])

    lazy var sortDirection: GraphQLEnumType = enumType(
        "SortDirection", ["ASC", "DESC"], "The direction of one ordering key.")

    lazy var changeKind: GraphQLEnumType = enumType(
        "ChangeKind", ["CREATED", "UPDATED", "DELETED", "RESTORED"], "What happened to a record.")

    func enumType(_ name: String, _ values: [String], _ description: String? = nil) -> GraphQLEnumType {
        if let existing = enums[name] { return existing }
        var map = GraphQLEnumValueMap()
        for value in values { map[value] = GraphQLEnumValue(value: .string(value)) }
        let type = buildOrRecord { try GraphQLEnumType(name: name, description: description, values: map) }
        enums[name] = type
        return type
    }

    var problems: [String] = []

    /// A field thunk that runs `make` once and then returns its result.
    ///
    /// GraphQLSwift evaluates a type's field thunk again whenever it needs the fields — at request
    /// time too, from many requests at once — and `make` records field kinds in this state. Run once
    /// (under one lock for the whole state, while the schema is built), every later call is a read
    /// of the same map: no shared state is written after the build, and no fields are made again.
    func memoized<Map>(_ make: @escaping () -> Map) -> () -> Map {
        let memo = ThunkMemo<Map>(lock: thunkLock)
        return { memo.value(make) }
    }

    /// Runs a library constructor that throws only on invalid names, recording the problem.
    func buildOrRecord<T>(_ make: () throws -> T) -> T where T: AnyObject {
        do {
            return try make()
        } catch {
            problems.append("\(error)")
            // A placeholder keeps the build going so that every problem is reported at once.
            return placeholder(T.self)
        }
    }

    private func placeholder<T>(_ type: T.Type) -> T {
        let value: Any
        switch type {
        case is GraphQLEnumType.Type:
            value =
                (try? GraphQLEnumType(name: "Invalid", values: ["INVALID": GraphQLEnumValue(value: "INVALID")])) as Any
        case is GraphQLInputObjectType.Type:
            value =
                (try? GraphQLInputObjectType(
                    name: "Invalid", fields: ["invalid": InputObjectField(type: GraphQLString)]))
                as Any
        case is GraphQLUnionType.Type:
            value = (try? GraphQLUnionType(name: "Invalid", types: [])) as Any
        default:
            value =
                (try? GraphQLObjectType(name: "Invalid", fields: ["invalid": GraphQLField(type: GraphQLString)])) as Any
        }
        guard let typed = value as? T else { preconditionFailure("placeholder for \(type)") }
        return typed
    }

    func field(
        _ type: any GraphQLOutputType, _ kind: FieldKind, parent: String, name: String,
        args: GraphQLArgumentConfigMap = [:], description: String? = nil
    )
        -> GraphQLField
    {
        kinds[parent, default: [:]][name] = kind
        return GraphQLField(type: type, description: description, args: args, resolve: resolvers(kind))
    }

    func object(
        _ name: String, _ description: String?, _ members: [(String, any GraphQLOutputType, FieldKind)]
    )
        -> GraphQLObjectType
    {
        if let existing = objects[name] { return existing }
        var map = GraphQLFieldMap()
        for (fieldName, type, kind) in members { map[fieldName] = field(type, kind, parent: name, name: fieldName) }
        let type = buildOrRecord { try GraphQLObjectType(name: name, description: description, fields: map) }
        objects[name] = type
        return type
    }

    func input(
        _ name: String, _ description: String?, isOneOf: Bool = false, _ fields: @escaping () -> InputObjectFieldMap
    )
        -> GraphQLInputObjectType
    {
        if let existing = inputs[name] { return existing }
        let type = buildOrRecord {
            try GraphQLInputObjectType(name: name, description: description, fields: memoized(fields), isOneOf: isOneOf)
        }
        inputs[name] = type
        return type
    }

    /// `StringFilter`, `IntFilter`, …: the comparisons a field of one type supports.
    func comparisonFilter(
        _ name: String, _ valueType: any GraphQLInputType, ordered: Bool, text: Bool
    ) -> GraphQLInputObjectType {
        input(name, "Conditions on one field; every condition given must hold.") {
            var fields = InputObjectFieldMap()
            fields["eq"] = InputObjectField(type: valueType, description: "Equal to.")
            fields["ne"] = InputObjectField(type: valueType, description: "Not equal to (null values never match).")
            fields["in"] = InputObjectField(type: GraphQLList(self.nonNull(valueType)), description: "One of.")
            fields["notIn"] = InputObjectField(
                type: GraphQLList(self.nonNull(valueType)), description: "None of (null values never match).")
            if ordered {
                fields["lt"] = InputObjectField(type: valueType, description: "Less than.")
                fields["lte"] = InputObjectField(type: valueType, description: "Less than or equal to.")
                fields["gt"] = InputObjectField(type: valueType, description: "Greater than.")
                fields["gte"] = InputObjectField(type: valueType, description: "Greater than or equal to.")
            }
            if text {
                fields["contains"] = InputObjectField(
                    type: GraphQLString, description: "Contains the substring (case-sensitive).")
                fields["startsWith"] = InputObjectField(
                    type: GraphQLString, description: "Starts with the prefix (case-sensitive).")
            }
            fields["isNull"] = InputObjectField(
                type: GraphQLBoolean, description: "Is null (true) or is not null (false).")
            return fields
        }
    }

    /// `T!`. Every type this builder makes is nullable until wrapped here, so the cast cannot fail.
    func nonNull(_ type: any GraphQLType) -> GraphQLNonNull {
        guard let nullable = type as? any GraphQLNullableType else {
            preconditionFailure("\(type) is already non-null")
        }
        return GraphQLNonNull(nullable)
    }

    // MARK: Field types

    func scalarOutput(_ type: FieldType) -> any GraphQLOutputType {
        switch type {
        case .string, .text, .email, .url, .date: GraphQLString
        case .int: GraphQLInt
        case .float: GraphQLFloat
        case .bool: GraphQLBoolean
        case .datetime: AtomoScalars.dateTime
        case .json: AtomoScalars.json
        case .enumeration(let name): schemaEnum(name)
        case .reference: GraphQLID
        case .list(let element): GraphQLList(nonNull(scalarOutput(element)))
        case .blocks(let name): GraphQLList(GraphQLNonNull(blockUnion(name)))
        }
    }

    func scalarInput(_ type: FieldType) -> any GraphQLInputType {
        switch type {
        case .string, .text, .email, .url, .date: GraphQLString
        case .int: GraphQLInt
        case .float: GraphQLFloat
        case .bool: GraphQLBoolean
        case .datetime: AtomoScalars.dateTime
        case .json: AtomoScalars.json
        case .enumeration(let name): schemaEnum(name)
        case .reference: GraphQLID
        case .list(let element): GraphQLList(nonNull(scalarInput(element)))
        case .blocks(let name): GraphQLList(GraphQLNonNull(blockInput(name)))
        }
    }

    func schemaEnum(_ name: String) -> GraphQLEnumType {
        enumType(name, view.schema.enumType(name)?.values ?? [], view.schema.enumType(name)?.description)
    }

    /// The object type name of a block variant: its own name, or `<Union><Variant>` if that is taken.
    func variantTypeName(_ union: BlockUnion, _ variant: BlockType) -> String {
        reservedNames.contains(variant.name) ? union.name + variant.name : variant.name
    }

    func blockUnion(_ name: String) -> GraphQLUnionType {
        if let existing = unions[name] { return existing }
        guard let union = view.schema.blockUnion(name) else {
            problems.append("block union \(name) is not declared")
            return placeholder(GraphQLUnionType.self)
        }
        let variantTypes = union.variants.map { variant in
            let typeName = variantTypeName(union, variant)
            var members: [(String, any GraphQLOutputType, FieldKind)] = []
            for field in variant.fields {
                let type = scalarOutput(field.type)
                let listLike: Bool
                switch field.type {
                case .list, .blocks: listLike = true
                default: listLike = false
                }
                members.append(
                    (field.name, field.isRequired || listLike ? nonNull(type) : type, .member(field.name)))
            }
            return object(typeName, variant.description, members)
        }
        let namesByVariant = Dictionary(
            uniqueKeysWithValues: union.variants.map { ($0.name, variantTypeName(union, $0)) })
        let type = buildOrRecord {
            try GraphQLUnionType(
                name: union.name, description: union.description,
                resolveType: { value, _ in
                    let variant = Self.blockType(of: value)
                    return namesByVariant[variant ?? ""] ?? variant ?? ""
                },
                types: variantTypes)
        }
        unions[name] = type
        return type
    }

    /// The `type` member of a block value (a `JSONValue` object or a `Map` dictionary).
    static func blockType(of value: Any) -> String? {
        if let resolved = value as? ResolvedValue { return resolved.blockType }
        if let json = value as? JSONValue { return json["type"]?.stringValue }
        if let map = value as? Map, case .dictionary(let members) = map { return members["type"]?.string }
        if let dictionary = value as? [String: any Sendable] { return dictionary["type"] as? String }
        return nil
    }

    /// `BlockInput`: exactly one of `{ paragraph: {...} }`, `{ callLog: {...} }`.
    func blockInput(_ name: String) -> GraphQLInputObjectType {
        if let existing = blockInputs[name] { return existing }
        guard let union = view.schema.blockUnion(name) else {
            problems.append("block union \(name) is not declared")
            return placeholder(GraphQLInputObjectType.self)
        }
        let type = input(name + "Input", "One block: exactly one member, named after its variant.", isOneOf: true) {
            [self] in
            var fields = InputObjectFieldMap()
            for variant in union.variants {
                let variantInput = self.input(self.variantTypeName(union, variant) + "Input", variant.description) {
                    [self] in
                    var members = InputObjectFieldMap()
                    for field in variant.fields {
                        let type = self.scalarInput(field.type)
                        members[field.name] = InputObjectField(
                            type: field.isRequired && field.defaultValue == nil ? nonNull(type) : type,
                            description: field.description)
                    }
                    return members
                }
                fields[EntityNames.lowerFirst(variant.name)] = InputObjectField(type: variantInput)
            }
            return fields
        }
        blockInputs[name] = type
        return type
    }

    func filterInput(_ type: FieldType) -> (any GraphQLInputType)? {
        switch type {
        case .string, .text, .email, .url, .date:
            comparisonFilter("StringFilter", GraphQLString, ordered: true, text: true)
        case .int: comparisonFilter("IntFilter", GraphQLInt, ordered: true, text: false)
        case .float: comparisonFilter("FloatFilter", GraphQLFloat, ordered: true, text: false)
        case .bool: comparisonFilter("BooleanFilter", GraphQLBoolean, ordered: false, text: false)
        case .datetime: comparisonFilter("DateTimeFilter", AtomoScalars.dateTime, ordered: true, text: false)
        case .enumeration(let name): comparisonFilter(name + "Filter", schemaEnum(name), ordered: true, text: false)
        case .reference(let target): view.entity(target).map { whereInput($0) }
        case .json, .list, .blocks: nil
        }
    }

    var idFilter: GraphQLInputObjectType { comparisonFilter("IDFilter", GraphQLID, ordered: false, text: false) }

    // MARK: Entities

    func whereInput(_ entity: EntityView) -> GraphQLInputObjectType {
        input(
            entity.names.whereInput,
            "Conditions on \(entity.names.list); every member given must hold. A reference's conditions apply to the referenced record (one level)."
        ) { [self] in
            var fields = InputObjectFieldMap()
            fields["id"] = InputObjectField(type: self.idFilter)
            for field in entity.fields {
                if let filter = self.filterInput(field.type) {
                    fields[field.name] = InputObjectField(type: filter, description: field.description)
                }
            }
            fields["version"] = InputObjectField(type: self.filterInput(.int) ?? GraphQLString)
            fields["createdAt"] = InputObjectField(type: self.filterInput(.datetime) ?? GraphQLString)
            fields["updatedAt"] = InputObjectField(type: self.filterInput(.datetime) ?? GraphQLString)
            let me = self.whereInput(entity)
            fields["and"] = InputObjectField(
                type: GraphQLList(GraphQLNonNull(me)), description: "Every filter matches.")
            fields["or"] = InputObjectField(
                type: GraphQLList(GraphQLNonNull(me)), description: "At least one filter matches.")
            fields["not"] = InputObjectField(type: me, description: "The filter does not match.")
            return fields
        }
    }

    func orderByInput(_ entity: EntityView) -> GraphQLInputObjectType {
        input(entity.names.orderByInput, "One ordering key: name exactly one field with its direction.") { [self] in
            var fields = InputObjectFieldMap()
            fields["id"] = InputObjectField(type: self.sortDirection)
            for field in entity.fields where field.type.isScalar {
                fields[field.name] = InputObjectField(type: self.sortDirection)
            }
            for system in ["version", "createdAt", "updatedAt"] {
                fields[system] = InputObjectField(type: self.sortDirection)
            }
            return fields
        }
    }

    func entityObject(_ entity: EntityView) -> GraphQLObjectType {
        let name = entity.names.type
        if let existing = objects[name] { return existing }
        let type = buildOrRecord {
            try GraphQLObjectType(
                name: name, description: entity.entity.description,
                fields: memoized { [self] in
                    var map = GraphQLFieldMap()
                    map["id"] = self.field(GraphQLNonNull(GraphQLID), .system("id"), parent: name, name: "id")
                    for field in entity.fields {
                        let description = field.description
                        switch field.type {
                        case .reference(let target):
                            guard let targetView = self.view.entity(target) else { continue }
                            map[field.name] = self.field(
                                self.entityObject(targetView), .reference(field: field.name, target: target),
                                parent: name,
                                name: field.name, description: description)
                        default:
                            var type = self.scalarOutput(field.type)
                            let listLike: Bool
                            switch field.type {
                            case .list, .blocks: listLike = true
                            default: listLike = false
                            }
                            if listLike || (field.isRequired && !entity.readDependsOnRecord) {
                                type = nonNull(type)
                            }
                            map[field.name] = self.field(
                                type, .value(field.name), parent: name, name: field.name, description: description)
                        }
                    }
                    map["version"] = self.field(
                        GraphQLNonNull(GraphQLInt), .system("version"), parent: name, name: "version",
                        description: "The record's version: pass it back as `expectedVersion` to update safely.")
                    map["createdAt"] = self.field(
                        GraphQLNonNull(AtomoScalars.dateTime), .system("createdAt"), parent: name, name: "createdAt")
                    map["updatedAt"] = self.field(
                        GraphQLNonNull(AtomoScalars.dateTime), .system("updatedAt"), parent: name, name: "updatedAt")
                    map["createdBy"] = self.field(GraphQLString, .system("createdBy"), parent: name, name: "createdBy")
                    map["updatedBy"] = self.field(GraphQLString, .system("updatedBy"), parent: name, name: "updatedBy")
                    for relation in entity.reverseRelations {
                        guard let source = self.view.entity(relation.sourceEntity) else { continue }
                        map[relation.fieldName] = self.field(
                            GraphQLNonNull(self.connection(source)), .reverse(relation), parent: name,
                            name: relation.fieldName,
                            args: self.listArguments(source),
                            description: "The \(source.names.list) whose `\(relation.referenceField)` is this record.")
                    }
                    return map
                })
        }
        objects[name] = type
        return type
    }

    func listArguments(_ entity: EntityView) -> GraphQLArgumentConfigMap {
        [
            "where": GraphQLArgument(type: whereInput(entity)),
            "orderBy": GraphQLArgument(
                type: GraphQLList(GraphQLNonNull(orderByInput(entity))),
                description: "Ordering keys; the id always breaks ties."),
            "first": GraphQLArgument(
                type: GraphQLInt, description: "At most this many, from the start (or after `after`)."),
            "after": GraphQLArgument(type: GraphQLString, description: "A cursor: records after it."),
            "last": GraphQLArgument(
                type: GraphQLInt, description: "At most this many, from the end (or before `before`)."),
            "before": GraphQLArgument(type: GraphQLString, description: "A cursor: records before it."),
        ]
    }

    func connection(_ entity: EntityView) -> GraphQLObjectType {
        let node = GraphQLNonNull(entityObject(entity))
        let edge = object(
            entity.names.edge, nil,
            [("cursor", GraphQLNonNull(GraphQLString), .member("cursor")), ("node", node, .member("node"))])
        return object(
            entity.names.connection, "A page of \(entity.names.list) (Relay cursor connection).",
            [
                ("edges", GraphQLNonNull(GraphQLList(GraphQLNonNull(edge))), .member("edges")),
                ("nodes", GraphQLNonNull(GraphQLList(node)), .member("nodes")),
                ("pageInfo", GraphQLNonNull(pageInfo), .member("pageInfo")),
                ("totalCount", GraphQLNonNull(GraphQLInt), .member("totalCount")),
            ])
    }

    func aggregate(_ entity: EntityView) -> GraphQLObjectType {
        var members: [(String, any GraphQLOutputType, FieldKind)] = [
            ("count", GraphQLNonNull(GraphQLInt), .member("count"))
        ]
        let ordered = entity.fields.filter { field in
            switch field.type {
            case .string, .text, .email, .url, .date, .int, .float, .datetime, .enumeration: true
            default: false
            }
        }
        let numeric = entity.fields.filter { $0.type == .int || $0.type == .float }
        if !ordered.isEmpty {
            let minMax = object(
                entity.names.aggregateMinMax, "The smallest or largest value of each field (null when there is none).",
                ordered.map { ($0.name, scalarOutput($0.type), .member($0.name)) })
            members.append(("min", GraphQLNonNull(minMax), .member("min")))
            members.append(("max", GraphQLNonNull(minMax), .member("max")))
        }
        if !numeric.isEmpty {
            let sum = object(
                entity.names.aggregateSum, "The sum of each numeric field.",
                numeric.map { ($0.name, GraphQLFloat, .member($0.name)) })
            let avg = object(
                entity.names.aggregateAvg, "The average of each numeric field.",
                numeric.map { ($0.name, GraphQLFloat, .member($0.name)) })
            members.append(("sum", GraphQLNonNull(sum), .member("sum")))
            members.append(("avg", GraphQLNonNull(avg), .member("avg")))
        }
        return object(entity.names.aggregateType, "Aggregates over the matching \(entity.names.list).", members)
    }

    func change(_ entity: EntityView) -> GraphQLObjectType {
        object(
            entity.names.change, "One change in a record's history.",
            [
                ("kind", GraphQLNonNull(changeKind), .member("kind")),
                ("version", GraphQLNonNull(GraphQLInt), .member("version")),
                ("at", GraphQLNonNull(AtomoScalars.dateTime), .member("at")),
                ("actor", GraphQLString, .member("actor")),
                ("fields", GraphQLNonNull(AtomoScalars.json), .member("fields")),
                ("previous", GraphQLNonNull(AtomoScalars.json), .member("previous")),
            ])
    }

    func changeEvent(_ entity: EntityView) -> GraphQLObjectType {
        object(
            entity.names.changeEvent, "A change to a \(entity.names.single), as subscriptions deliver it.",
            [
                ("kind", GraphQLNonNull(changeKind), .member("kind")),
                ("id", GraphQLNonNull(GraphQLID), .member("id")),
                ("version", GraphQLNonNull(GraphQLInt), .member("version")),
                ("at", GraphQLNonNull(AtomoScalars.dateTime), .member("at")),
                ("actor", GraphQLString, .member("actor")),
                ("changedFields", GraphQLNonNull(GraphQLList(GraphQLNonNull(GraphQLString))), .member("changedFields")),
                ("record", entityObject(entity), .member("record")),
            ])
    }

    func createInput(_ entity: EntityView) -> GraphQLInputObjectType {
        input(entity.names.createInput, "The fields of a new \(entity.names.single); references are ids.") { [self] in
            var fields = InputObjectFieldMap()
            for field in entity.entity.fields {
                let type = self.scalarInput(field.type)
                let listLike: Bool
                switch field.type {
                case .list, .blocks: listLike = true
                default: listLike = false
                }
                let required = field.isRequired && field.defaultValue == nil && !listLike
                fields[field.name] = InputObjectField(
                    type: required ? nonNull(type) : type, description: field.description)
            }
            return fields
        }
    }

    func updateInput(_ entity: EntityView) -> GraphQLInputObjectType {
        input(entity.names.updateInput, "The fields to change; members left out keep their values, null clears.") {
            [self] in
            var fields = InputObjectFieldMap()
            for field in entity.entity.fields {
                fields[field.name] = InputObjectField(
                    type: self.scalarInput(field.type), description: field.description)
            }
            return fields
        }
    }

    // MARK: Platform

    /// A platform type's name: `User`, or `AtomoUser` when the declared schema already uses `User`.
    func platformName(_ name: String) -> String {
        reservedNames.contains(name) ? "Atomo" + name : name
    }

    lazy var roleEnum: GraphQLEnumType = enumType(platformName("Role"), view.schema.roles, "The roles users can hold.")

    // MARK: Roots

    func build() throws -> GraphQLSchema {
        var query = GraphQLFieldMap()
        var mutation = GraphQLFieldMap()
        var subscription = GraphQLFieldMap()
        reservedNames.formUnion(view.entities.map { $0.names.connection })
        query["schemaFingerprint"] = field(
            GraphQLNonNull(GraphQLString), .schemaFingerprint, parent: "Query", name: "schemaFingerprint",
            description: "The declared schema's fingerprint; it changes when the schema is reloaded.")
        for entity in view.entities {
            let names = entity.names
            let object = entityObject(entity)
            let idArgument = GraphQLArgument(type: GraphQLNonNull(GraphQLID))
            let versionArgument = GraphQLArgument(
                type: GraphQLInt,
                description: "The version the caller last read; a different current version is a CONFLICT.")
            query[names.single] = field(
                object, .single(entity: entity.entity.name), parent: "Query", name: names.single,
                args: [
                    "id": idArgument,
                    "asOf": GraphQLArgument(
                        type: AtomoScalars.dateTime, description: "The record as it was at this instant."),
                    "version": GraphQLArgument(type: GraphQLInt, description: "The record as it was at this version."),
                ], description: "One \(names.single) by id (null when there is none or it is deleted).")
            query[names.list] = field(
                GraphQLNonNull(connection(entity)), .list(entity: entity.entity.name), parent: "Query",
                name: names.list,
                args: listArguments(entity), description: "A page of \(names.list).")
            query[names.aggregate] = field(
                GraphQLNonNull(aggregate(entity)), .aggregate(entity: entity.entity.name), parent: "Query",
                name: names.aggregate,
                args: ["where": GraphQLArgument(type: whereInput(entity))], description: "Count, min, max, sum and avg."
            )
            query[names.history] = field(
                GraphQLNonNull(GraphQLList(GraphQLNonNull(change(entity)))), .history(entity: entity.entity.name),
                parent: "Query",
                name: names.history, args: ["id": idArgument],
                description: "Every change to one \(names.single), oldest first.")

            if entity.mayCreate {
                mutation[names.create] = field(
                    GraphQLNonNull(object), .create(entity: entity.entity.name), parent: "Mutation", name: names.create,
                    args: ["input": GraphQLArgument(type: GraphQLNonNull(createInput(entity)))])
            }
            if entity.mayUpdate {
                mutation[names.update] = field(
                    GraphQLNonNull(object), .update(entity: entity.entity.name), parent: "Mutation", name: names.update,
                    args: [
                        "id": idArgument, "input": GraphQLArgument(type: GraphQLNonNull(updateInput(entity))),
                        "expectedVersion": versionArgument,
                    ])
            }
            if entity.mayDelete {
                mutation[names.delete] = field(
                    GraphQLNonNull(object), .delete(entity: entity.entity.name), parent: "Mutation", name: names.delete,
                    args: ["id": idArgument, "expectedVersion": versionArgument])
                mutation[names.restore] = field(
                    GraphQLNonNull(object), .restore(entity: entity.entity.name), parent: "Mutation",
                    name: names.restore,
                    args: ["id": idArgument, "expectedVersion": versionArgument])
            }
            subscription[names.changed] = field(
                GraphQLNonNull(changeEvent(entity)), .changed(entity: entity.entity.name), parent: "Subscription",
                name: names.changed, args: ["id": idArgument])
            subscription[names.listChanged] = field(
                GraphQLNonNull(changeEvent(entity)), .listChanged(entity: entity.entity.name), parent: "Subscription",
                name: names.listChanged, args: ["where": GraphQLArgument(type: whereInput(entity))])
        }

        for part in parts {
            let builder = GraphQLPartBuilder(state: self, part: part.name)
            do {
                try part.contribute(to: builder)
            } catch {
                problems.append("the part '\(part.name)' failed: \(error)")
                continue
            }
            query.merge(builder.query) { current, _ in current }
            mutation.merge(builder.mutation) { current, _ in current }
            subscription.merge(builder.subscription) { current, _ in current }
            contributed.merge(builder.resolvers) { current, _ in current }
        }

        let queryType = try GraphQLObjectType(name: "Query", fields: query)
        let mutationType = mutation.isEmpty ? nil : try GraphQLObjectType(name: "Mutation", fields: mutation)
        let subscriptionType =
            subscription.isEmpty ? nil : try GraphQLObjectType(name: "Subscription", fields: subscription)
        // Every enum and union is reachable from the roots; list the scalars so they always exist.
        let schema = try GraphQLSchema(
            query: queryType, mutation: mutationType, subscription: subscriptionType,
            types: [AtomoScalars.dateTime, AtomoScalars.json])
        guard problems.isEmpty else { throw GraphQLSchemaBuildError.invalid(problems) }
        return schema
    }
}

/// The result of one field thunk, computed once under the build state's lock.
private final class ThunkMemo<Map>: @unchecked Sendable {
    // @unchecked: `cached` is read and written only while `lock` is held.
    private let lock: NSRecursiveLock
    private var cached: Map?

    init(lock: NSRecursiveLock) { self.lock = lock }

    func value(_ make: () -> Map) -> Map {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        let made = make()
        cached = made
        return made
    }
}
