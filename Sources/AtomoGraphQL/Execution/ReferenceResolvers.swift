import AtomoContent
import AtomoSchema
import GraphQL

/// The per-request context the reference resolvers read: the content resolver and its loaders.
final class ReferenceContext: Sendable {
    let resolver: ContentFieldResolver
    let references: BatchLoader<ReferenceKey, ContentRecord>
    let reverse: BatchLoader<ReverseKey, ConnectionValue>

    struct ReferenceKey: Hashable, Sendable {
        let target: String
        let id: String
    }

    struct ReverseKey: Hashable, Sendable {
        let relation: ReverseRelation
        let arguments: JSONValue
        let wantsTotalCount: Bool
        let parent: String
    }

    init(resolver: ContentFieldResolver) {
        self.resolver = resolver
        references = BatchLoader { keys async throws(GraphQLFieldError) in
            var result: [ReferenceKey: ContentRecord] = [:]
            for (target, group) in Dictionary(grouping: keys, by: \.target) {
                let loaded = try await resolver.references(target, ids: group.map(\.id))
                for key in group { result[key] = loaded[key.id] }
            }
            return result
        }
        reverse = BatchLoader { keys async throws(GraphQLFieldError) in
            var result: [ReverseKey: ConnectionValue] = [:]
            let groups = Dictionary(grouping: keys) {
                [$0.relation.fieldName, $0.relation.sourceEntity, "\($0.arguments)", "\($0.wantsTotalCount)"]
            }
            for (_, group) in groups {
                guard let first = group.first else { continue }
                let loaded = try await resolver.reverse(
                    first.relation, parentIDs: group.map(\.parent), first.arguments.objectValue ?? [:],
                    wantsTotalCount: first.wantsTotalCount)
                for key in group { result[key] = loaded[key.parent] }
            }
            return result
        }
    }
}

/// The resolvers of the reference executor (the GraphQL library's own): the same
/// ``ContentFieldResolver`` and ``ResolvedValue`` semantics as the planned executor, with
/// relations through per-request ``BatchLoader``s. Differential tests run both and compare.
public enum ReferenceResolvers {
    /// The factory ``RoleSchemaBuilder`` and ``GraphQLSchemaRegistry`` use by default.
    public static let factory: RoleSchemaBuilder.ResolverFactory = { kind in
        { source, arguments, context, info in
            guard let context = context as? ReferenceContext else {
                throw GraphQLError(message: "internal server error")
            }
            let value: ResolvedValue
            do {
                value = try await resolve(kind, source: source, arguments: arguments, context: context, info: info)
            } catch {
                // A GraphQLError is passed through as it is, so it carries its own path and nodes.
                let fieldError = GraphQLFieldError.from(error)
                var extensions = fieldError.extensions.mapValues(\.graphQLMap)
                extensions["code"] = .string(fieldError.code.rawValue)
                throw GraphQLError(
                    message: fieldError.message, nodes: info.fieldASTs, path: info.path, originalError: fieldError,
                    extensions: extensions)
            }
            return libraryValue(value, info.returnType)
        }
    }

    private static func resolve(
        _ kind: FieldKind, source: any Sendable, arguments: Map, context: ReferenceContext, info: GraphQLResolveInfo
    ) async throws -> ResolvedValue {
        let source = source as? ResolvedValue ?? .null
        let args = JSONValue(graphQLMap: arguments)?.objectValue ?? [:]
        switch kind {
        case .system, .value:
            guard case .record(let record) = source else { return .null }
            return ResolvedValue.recordField(kind, of: record)
        case .member(let name):
            return source.member(name)
        case .reference(let field, let target):
            guard case .record(let record) = source, let id = record.fields[field]?.stringValue else { return .null }
            return try await context.references.load(.init(target: target, id: id)).map(ResolvedValue.record) ?? .null
        case .reverse(let relation):
            guard case .record(let record) = source else { return .null }
            let key = ReferenceContext.ReverseKey(
                relation: relation, arguments: .object(args), wantsTotalCount: true, parent: record.id)
            return try await context.reverse.load(key).map(ResolvedValue.connection)
                ?? .connection(ConnectionValue(records: [], totalCount: 0, hasNextPage: false, hasPreviousPage: false))
        case .changed, .listChanged:
            return source
        default:
            return try await context.resolver.root(kind, args, wantsTotalCount: true)
        }
    }

    /// A resolved value as the library's executor expects it: leaves as `Map`, lists as Swift
    /// arrays, objects as the ``ResolvedValue`` their fields resolve from, null as nil.
    static func libraryValue(_ value: ResolvedValue, _ type: any GraphQLType) -> (any Sendable)? {
        var type = type
        if let nonNull = type as? GraphQLNonNull { type = nonNull.ofType }
        switch value {
        case .null:
            return nil
        case .list(let elements):
            let itemType = (type as? GraphQLList)?.ofType ?? type
            return elements.map { libraryValue($0, itemType) } as [(any Sendable)?]
        case .json(let json):
            if json == .null { return nil }
            if let list = type as? GraphQLList {
                guard case .array(let elements) = json else { return nil }
                return elements.map { libraryValue(.json($0), list.ofType) } as [(any Sendable)?]
            }
            if type is GraphQLUnionType || type is GraphQLObjectType { return value }
            return json.graphQLMap
        default:
            return value
        }
    }
}
