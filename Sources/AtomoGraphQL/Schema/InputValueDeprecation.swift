import GraphQL
import OrderedCollections

/// Answers `__InputValue.isDeprecated`, which the GraphQL library declares but cannot resolve.
///
/// The library's introspection type `__InputValue` has `isDeprecated: Boolean!` without a resolver,
/// and its argument and input-field definitions have no such property, so the field resolves to null
/// and the non-null error wipes out the whole `__schema`. Clients ask for it by default — gql 4, and
/// graphql-js's `getIntrospectionQuery({ inputValueDeprecation: true })` — so introspection failed
/// for them.
///
/// Before execution, every `isDeprecated` selected on an `__InputValue` (inline, through
/// `args`/`inputFields`, or in a fragment on `__InputValue`) is rewritten in the query text to
/// `<marker>: deprecationReason`, which the library does resolve; after execution each marker is
/// turned back into the client's response key with `deprecationReason != null` as its value. So
/// the answer is exact for deprecated arguments too, and the response keeps the client's order.
struct InputValueDeprecation {
    /// The rewritten query text to execute instead of the client's.
    let rewrittenQuery: String
    /// The response key the client asked for, per marker.
    private let keys: [String: String]

    private static let markerPrefix = "__atomoInputValueIsDeprecated"

    /// The rewrite of `query`, or nil when it selects no `isDeprecated` on an input value (or
    /// already contains the marker, which no real client sends).
    init?(query: String, document: Document) {
        guard !query.contains(Self.markerPrefix) else { return nil }
        var finder = Finder(document: document)
        finder.visitOperations()
        guard !finder.found.isEmpty else { return nil }

        var utf8 = Array(query.utf8)
        var keys: [String: String] = [:]
        // From the end, so earlier offsets stay valid.
        for (index, field) in finder.found.sorted(by: { $0.start > $1.start }).enumerated() {
            let marker = "\(Self.markerPrefix)\(index)"
            keys[marker] = field.responseKey
            utf8.replaceSubrange(field.start..<field.end, with: Array("\(marker): deprecationReason".utf8))
        }
        self.rewrittenQuery = String(decoding: utf8, as: UTF8.self)
        self.keys = keys
    }

    /// Executes `document`, parsed from `query`, on the library's executor, with `isDeprecated` on
    /// input values answered. Validation has been done on `document` by the caller.
    static func execute(
        schema: GraphQLSchema, document: Document, query: String, context: any Sendable,
        variableValues: [String: Map] = [:], operationName: String? = nil
    ) async throws -> GraphQLResult {
        let rewrite = InputValueDeprecation(query: query, document: document)
        let executed = try rewrite.map { try GraphQL.parse(source: Source(body: $0.rewrittenQuery)) } ?? document
        var result = try await GraphQL.execute(
            schema: schema, documentAST: executed, rootValue: (), context: context,
            variableValues: variableValues, operationName: operationName)
        if let rewrite, let data = result.data { result.data = rewrite.restore(data) }
        return result
    }

    /// `result` with every marker replaced by the client's key and a Boolean.
    func restore(_ result: Map) -> Map {
        switch result {
        case .dictionary(let object):
            var restored: OrderedDictionary<String, Map> = [:]
            restored.reserveCapacity(object.count)
            for (key, value) in object {
                if let original = keys[key] {
                    restored[original] = .bool(value != .null && value != .undefined)
                } else {
                    restored[key] = restore(value)
                }
            }
            return .dictionary(restored)
        case .array(let elements):
            return .array(elements.map(restore))
        default:
            return result
        }
    }

    /// One `isDeprecated` selection on an input value: the UTF-8 range of its alias and name.
    private struct Selection: Hashable {
        let start: Int
        let end: Int
        let responseKey: String
    }

    /// Walks the operations with the introspection type each selection set is on.
    private struct Finder {
        let fragments: [String: FragmentDefinition]
        let operations: [OperationDefinition]
        var found: Set<Selection> = []
        var visiting: Set<String> = []

        init(document: Document) {
            var fragments: [String: FragmentDefinition] = [:]
            var operations: [OperationDefinition] = []
            for definition in document.definitions {
                if let fragment = definition as? FragmentDefinition { fragments[fragment.name.value] = fragment }
                if let operation = definition as? OperationDefinition { operations.append(operation) }
            }
            self.fragments = fragments
            self.operations = operations
        }

        /// The introspection type a field of `type` returns, or nil when it is not one.
        static func child(of type: String?, field: String) -> String? {
            switch (type, field) {
            case (nil, "__schema"): "__Schema"
            case (nil, "__type"): "__Type"
            case ("__Schema", "types"), ("__Schema", "queryType"), ("__Schema", "mutationType"),
                ("__Schema", "subscriptionType"):
                "__Type"
            case ("__Schema", "directives"): "__Directive"
            case ("__Type", "fields"): "__Field"
            case ("__Type", "interfaces"), ("__Type", "possibleTypes"), ("__Type", "ofType"): "__Type"
            case ("__Type", "enumValues"): "__EnumValue"
            case ("__Type", "inputFields"), ("__Field", "args"), ("__Directive", "args"): "__InputValue"
            case ("__Field", "type"), ("__InputValue", "type"): "__Type"
            default: nil
            }
        }

        /// `name` when it is an introspection type; nil for the schema's own types (a root).
        static func introspectionType(_ name: String) -> String? { name.hasPrefix("__") ? name : nil }

        mutating func visitOperations() {
            for operation in operations { visit(operation.selectionSet, on: nil) }
        }

        /// Visits `set`, whose selections are on the introspection type `type` (nil: a root type).
        mutating func visit(_ set: SelectionSet, on type: String?) {
            for selection in set.selections {
                if let field = selection as? Field {
                    let name = field.name.value
                    if type == "__InputValue", name == "isDeprecated", let nameEnd = field.name.loc?.end,
                        let start = field.alias?.loc?.start ?? field.name.loc?.start
                    {
                        found.insert(Selection(start: start, end: nameEnd, responseKey: field.alias?.value ?? name))
                    }
                    if let child = Self.child(of: type, field: name), let nested = field.selectionSet {
                        visit(nested, on: child)
                    }
                } else if let inline = selection as? InlineFragment {
                    visit(inline.selectionSet, on: inline.typeCondition.map { Self.introspectionType($0.name.value) } ?? type)
                } else if let spread = selection as? FragmentSpread {
                    let name = spread.name.value
                    // Validation has refused cycles; this only stops a walk in a cycle anyway.
                    guard let fragment = fragments[name], !visiting.contains(name) else { continue }
                    visiting.insert(name)
                    visit(fragment.selectionSet, on: Self.introspectionType(fragment.typeCondition.name.value))
                    visiting.remove(name)
                }
            }
        }
    }
}
