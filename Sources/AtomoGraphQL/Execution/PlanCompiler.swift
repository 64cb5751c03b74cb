import AtomoSchema
import GraphQL
import OrderedCollections

/// Compiles a validated operation into an ``OperationPlan`` (the spec's CollectFields, done once):
/// fragments and inline fragments are merged per concrete type, `@skip`/`@include` are decided with
/// the request's variables, and every field gets its kind, arguments and output shape.
struct PlanCompiler {
    let schema: RoleSchema
    let fragments: [String: FragmentDefinition]
    let variables: [String: JSONValue]
    private var nextID = 0

    init(schema: RoleSchema, document: Document, variables: [String: JSONValue]) {
        self.schema = schema
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions {
            fragments[fragment.name.value] = fragment
        }
        self.fragments = fragments
        self.variables = variables
    }

    /// The variables that `@skip` and `@include` read anywhere in the document: a compiled plan
    /// depends on their values and on nothing else of the request.
    static func directiveVariables(_ document: Document) -> [String] {
        var names: Set<String> = []
        func visit(_ set: SelectionSet) {
            for selection in set.selections {
                let directives: [Directive]
                if let field = selection as? GraphQL.Field {
                    directives = field.directives
                    if let child = field.selectionSet { visit(child) }
                } else if let inline = selection as? InlineFragment {
                    directives = inline.directives
                    visit(inline.selectionSet)
                } else if let spread = selection as? FragmentSpread {
                    directives = spread.directives
                } else {
                    directives = []
                }
                for directive in directives {
                    for argument in directive.arguments {
                        if let variable = argument.value as? Variable { names.insert(variable.name.value) }
                    }
                }
            }
        }
        for definition in document.definitions {
            if let operation = definition as? OperationDefinition { visit(operation.selectionSet) }
            if let fragment = definition as? FragmentDefinition { visit(fragment.selectionSet) }
        }
        return names.sorted()
    }

    mutating func compile(_ operation: OperationDefinition) throws(GraphQLRequestError) -> OperationPlan {
        let root: GraphQLObjectType?
        switch operation.operation {
        case .query: root = schema.graphQLSchema.queryType
        case .mutation: root = schema.graphQLSchema.mutationType
        case .subscription: root = schema.graphQLSchema.subscriptionType
        }
        guard let root else {
            throw GraphQLRequestError(.validationFailed, "the schema has no \(operation.operation.rawValue) type")
        }
        let selection = try selectionPlan(operation.selectionSet, on: root)
        return OperationPlan(
            operation: operation.operation, root: selection, rootTypeName: root.name,
            variableDefinitions: operation.variableDefinitions, fieldCount: nextID)
    }

    private mutating func selectionPlan(
        _ set: SelectionSet, on type: GraphQLObjectType
    ) throws(GraphQLRequestError) -> SelectionPlan {
        try selectionPlan([set], on: type)
    }

    private mutating func selectionPlan(
        _ sets: [SelectionSet], on type: GraphQLObjectType
    ) throws(GraphQLRequestError)
        -> SelectionPlan
    {
        var grouped = OrderedDictionary<String, [GraphQL.Field]>()
        var visited: Set<String> = []
        for set in sets { try collect(set, on: type, into: &grouped, visited: &visited) }
        let definitions: GraphQLFieldMap
        do { definitions = try type.fields() } catch {
            throw GraphQLRequestError(.internalServerError, "internal server error")
        }

        var plans: [FieldPlan] = []
        for (responseKey, asts) in grouped {
            guard let first = asts.first else { continue }
            let name = first.name.value
            let id = nextID
            nextID += 1
            let location = DocumentLimitCheck.position(first.loc)
            if name == "__typename" {
                plans.append(
                    FieldPlan(
                        id: id, responseKey: responseKey, fieldName: name, kind: nil, parentTypeName: type.name,
                        arguments: [],
                        shape: .nonNull(.leaf(.string)), selection: nil, unionSelections: [:], location: location,
                        selectsTotalCount: false))
                continue
            }
            if name == "__schema" || name == "__type" {
                throw GraphQLRequestError(.internalServerError, "introspection is executed by the reference executor")
            }
            guard let definition = definitions[name], let kind = schema.kind(ofField: name, onType: type.name) else {
                throw GraphQLRequestError(.validationFailed, "Cannot query field \"\(name)\" on type \"\(type.name)\".")
            }
            var arguments: [ArgumentPlan] = []
            for (argumentName, argument) in definition.args {
                let given = first.arguments.first { $0.name.value == argumentName }?.value
                arguments.append(
                    ArgumentPlan(
                        name: argumentName, value: given, type: argument.type, defaultValue: argument.defaultValue))
            }
            let childSets = asts.compactMap(\.selectionSet)
            var selection: SelectionPlan?
            var unionSelections: [String: SelectionPlan] = [:]
            let named = getNamedType(type: definition.type)
            if let object = named as? GraphQLObjectType {
                selection = try selectionPlan(childSets, on: object)
            } else if let union = named as? GraphQLUnionType {
                let members: [GraphQLObjectType]
                do { members = try union.types() } catch {
                    throw GraphQLRequestError(.internalServerError, "internal server error")
                }
                for member in members { unionSelections[member.name] = try selectionPlan(childSets, on: member) }
            }
            let selectsTotalCount = selection?.fields.contains { $0.fieldName == "totalCount" } ?? false
            plans.append(
                FieldPlan(
                    id: id, responseKey: responseKey, fieldName: name, kind: kind, parentTypeName: type.name,
                    arguments: arguments,
                    shape: try shape(definition.type), selection: selection, unionSelections: unionSelections,
                    location: location, selectsTotalCount: selectsTotalCount))
        }
        return SelectionPlan(fields: plans)
    }

    /// CollectFields (GraphQL spec § 6.3.2).
    private func collect(
        _ set: SelectionSet, on type: GraphQLObjectType, into grouped: inout OrderedDictionary<String, [GraphQL.Field]>,
        visited: inout Set<String>
    ) throws(GraphQLRequestError) {
        for selection in set.selections {
            if let field = selection as? GraphQL.Field {
                guard try included(field.directives) else { continue }
                grouped[field.alias?.value ?? field.name.value, default: []].append(field)
            } else if let inline = selection as? InlineFragment {
                guard try included(inline.directives), applies(inline.typeCondition?.name.value, to: type) else {
                    continue
                }
                try collect(inline.selectionSet, on: type, into: &grouped, visited: &visited)
            } else if let spread = selection as? FragmentSpread {
                let name = spread.name.value
                guard !visited.contains(name), try included(spread.directives) else { continue }
                visited.insert(name)
                guard let fragment = fragments[name], applies(fragment.typeCondition.name.value, to: type) else {
                    continue
                }
                try collect(fragment.selectionSet, on: type, into: &grouped, visited: &visited)
            }
        }
    }

    private func applies(_ condition: String?, to type: GraphQLObjectType) -> Bool {
        guard let condition else { return true }
        if condition == type.name { return true }
        if let union = schema.graphQLSchema.getType(name: condition) as? GraphQLUnionType {
            return (try? union.types().contains { $0.name == type.name }) ?? false
        }
        return false
    }

    private func included(_ directives: [Directive]) throws(GraphQLRequestError) -> Bool {
        func value(_ directive: Directive) -> Bool? {
            guard let argument = directive.arguments.first(where: { $0.name.value == "if" }) else { return nil }
            if let literal = argument.value as? BooleanValue { return literal.value }
            if let variable = argument.value as? Variable { return variables[variable.name.value]?.boolValue }
            return nil
        }
        for directive in directives {
            if directive.name.value == "skip", value(directive) == true { return false }
            if directive.name.value == "include", value(directive) == false { return false }
        }
        return true
    }

    private func shape(_ type: any GraphQLType) throws(GraphQLRequestError) -> OutputShape {
        if let nonNull = type as? GraphQLNonNull { return .nonNull(try shape(nonNull.ofType)) }
        if let list = type as? GraphQLList { return .list(try shape(list.ofType)) }
        if let object = type as? GraphQLObjectType { return .object(object.name) }
        if let union = type as? GraphQLUnionType {
            var names: [String: String] = [:]
            let members = (try? union.types()) ?? []
            if let declared = schema.view.schema.blockUnion(union.name) {
                for variant in declared.variants {
                    names[variant.name] =
                        members.contains { $0.name == variant.name } ? variant.name : union.name + variant.name
                }
            }
            return .union(union.name, names)
        }
        if let enumType = type as? GraphQLEnumType {
            return .leaf(.enumeration(enumType.name, Set(enumType.values.map(\.name))))
        }
        if let scalar = type as? GraphQLScalarType {
            switch scalar.name {
            case "Int": return .leaf(.int)
            case "Float": return .leaf(.float)
            case "String": return .leaf(.string)
            case "Boolean": return .leaf(.boolean)
            case "ID": return .leaf(.id)
            case "DateTime": return .leaf(.dateTime)
            default: return .leaf(.json)
            }
        }
        throw GraphQLRequestError(.internalServerError, "internal server error")
    }
}
