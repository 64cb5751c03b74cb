import AtomoSchema
import GraphQL

/// Checks a parsed document against ``GraphQLLimits`` before validation: aliases, selection depth,
/// field count and estimated cost, with fragments expanded (cycle-safe, and the walk stops as soon
/// as a budget is exceeded, so fragment bombs cost no more than the limit).
enum DocumentLimitCheck {
    static func check(
        _ document: Document, variables: [String: JSONValue], limits: GraphQLLimits
    ) throws(GraphQLRequestError) {
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions {
            fragments[fragment.name.value] = fragment
        }

        var aliases = 0
        for definition in document.definitions {
            let selectionSet: SelectionSet
            if let operation = definition as? OperationDefinition {
                selectionSet = operation.selectionSet
            } else if let fragment = definition as? FragmentDefinition {
                selectionSet = fragment.selectionSet
            } else {
                continue
            }
            try countAliases(selectionSet, &aliases, limits: limits)
        }

        for case let operation as OperationDefinition in document.definitions {
            var walk = Walk(fragments: fragments, variables: variables, limits: limits)
            let cost = try walk.cost(of: operation.selectionSet, depth: 1, stack: [])
            if cost > limits.maxComplexity {
                throw GraphQLRequestError(
                    .limitExceeded, "the operation's estimated cost is over \(limits.maxComplexity)",
                    location: position(operation.loc))
            }
        }
    }

    private static func countAliases(
        _ set: SelectionSet, _ count: inout Int, limits: GraphQLLimits
    ) throws(GraphQLRequestError) {
        for selection in set.selections {
            if let field = selection as? GraphQL.Field {
                if field.alias != nil {
                    count += 1
                    if count > limits.maxAliases {
                        throw GraphQLRequestError(
                            .limitExceeded, "the document uses more than \(limits.maxAliases) aliases",
                            location: position(field.loc))
                    }
                }
                if let child = field.selectionSet { try countAliases(child, &count, limits: limits) }
            } else if let inline = selection as? InlineFragment {
                try countAliases(inline.selectionSet, &count, limits: limits)
            }
        }
    }

    static func position(_ location: Location?) -> SourcePosition? {
        guard let token = location?.startToken else { return nil }
        return SourcePosition(line: token.line, column: token.column)
    }

    private struct Walk {
        let fragments: [String: FragmentDefinition]
        let variables: [String: JSONValue]
        let limits: GraphQLLimits
        var fields = 0

        init(fragments: [String: FragmentDefinition], variables: [String: JSONValue], limits: GraphQLLimits) {
            self.fragments = fragments
            self.variables = variables
            self.limits = limits
        }

        mutating func cost(of set: SelectionSet, depth: Int, stack: Set<String>) throws(GraphQLRequestError) -> Int {
            var total = 0
            for selection in set.selections {
                if let field = selection as? GraphQL.Field {
                    fields += 1
                    if fields > limits.maxFields {
                        throw GraphQLRequestError(
                            .limitExceeded, "the operation selects more than \(limits.maxFields) fields",
                            location: position(field.loc))
                    }
                    if depth > limits.maxDepth {
                        throw GraphQLRequestError(
                            .limitExceeded, "the operation nests deeper than \(limits.maxDepth) levels",
                            location: position(field.loc))
                    }
                    var fieldCost = 1
                    if let child = field.selectionSet {
                        let childCost = try cost(of: child, depth: depth + 1, stack: stack)
                        fieldCost = min(limits.maxComplexity + 1, 1 + multiplier(field, child) * childCost)
                    }
                    total = min(limits.maxComplexity + 1, total + fieldCost)
                } else if let inline = selection as? InlineFragment {
                    total = min(
                        limits.maxComplexity + 1,
                        total + (try cost(of: inline.selectionSet, depth: depth, stack: stack)))
                } else if let spread = selection as? FragmentSpread {
                    let name = spread.name.value
                    // A cycle is a validation error reported later; here it simply stops the walk.
                    guard !stack.contains(name), let fragment = fragments[name] else { continue }
                    var inner = stack
                    inner.insert(name)
                    total = min(
                        limits.maxComplexity + 1,
                        total + (try cost(of: fragment.selectionSet, depth: depth, stack: inner)))
                }
            }
            return total
        }

        /// How many times a field's selection runs: its `first`/`last`, or the default page size for
        /// a connection (a selection of `edges` or `nodes`), else once.
        func multiplier(_ field: GraphQL.Field, _ child: SelectionSet) -> Int {
            for argument in field.arguments where argument.name.value == "first" || argument.name.value == "last" {
                if let literal = argument.value as? IntValue, let value = Int(literal.value) {
                    return max(1, min(value, limits.maxPageSize))
                }
                if let variable = argument.value as? Variable, let value = variables[variable.name.value]?.intValue {
                    return max(1, min(Int(value), limits.maxPageSize))
                }
            }
            let isConnection = child.selections.contains { selection in
                guard let field = selection as? GraphQL.Field else { return false }
                return field.name.value == "edges" || field.name.value == "nodes"
            }
            return isConnection ? limits.defaultPageSize : 1
        }
    }
}
