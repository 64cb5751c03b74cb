import AtomoSchema
import GraphQL
import OrderedCollections

/// Input coercion for the planned executor, following the GraphQL specification (§ 5.6, 6.1.2):
/// variables from JSON and literals from the document become values of their input types, with
/// defaults applied, unknown members and missing required members rejected, a single value
/// accepted where a list is expected, and one-of inputs holding exactly one non-null member.
/// Leaf values go through the library's own `parseValue` / `parseLiteral`, as its executor does.
enum InputCoercion {
    /// The operation's variables, coerced; a bad value is a request error.
    static func variables(
        _ definitions: [VariableDefinition], _ inputs: [String: JSONValue], schema: GraphQLSchema
    ) throws(GraphQLRequestError) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for definition in definitions {
            let name = definition.variable.name.value
            guard let type = inputType(definition.type, schema: schema) else {
                throw GraphQLRequestError(.validationFailed, "variable $\(name) has no input type")
            }
            do throws(GraphQLFieldError) {
                if let given = inputs[name] {
                    result[name] = try coerce(given, to: type, path: "$" + name)
                } else if let defaultValue = definition.defaultValue {
                    result[name] = try literal(defaultValue, to: type, variables: [:], path: "$" + name)
                } else if type is GraphQLNonNull {
                    throw GraphQLFieldError(
                        .badUserInput, "variable $\(name) of required type \(type) was not provided")
                }
            } catch {
                throw GraphQLRequestError(.badUserInput, error.message)
            }
        }
        return result
    }

    static func inputType(_ ast: any GraphQL.`Type`, schema: GraphQLSchema) -> (any GraphQLInputType)? {
        if let named = ast as? NamedType { return schema.getType(name: named.name.value) as? any GraphQLInputType }
        if let list = ast as? ListType {
            return inputType(list.type, schema: schema).map { GraphQLList($0) }
        }
        if let nonNull = ast as? NonNullType {
            guard let inner = inputType(nonNull.type, schema: schema) as? any GraphQLNullableType else { return nil }
            return GraphQLNonNull(inner)
        }
        return nil
    }

    /// Coerces a JSON value (from variables) to `type`.
    static func coerce(
        _ value: JSONValue, to type: any GraphQLInputType, path: String
    ) throws(GraphQLFieldError) -> JSONValue {
        if let nonNull = type as? GraphQLNonNull {
            guard value != .null else {
                throw GraphQLFieldError(.badUserInput, "\(path): expected a non-null \(nonNull.ofType)")
            }
            guard let inner = nonNull.ofType as? any GraphQLInputType else { return value }
            return try coerce(value, to: inner, path: path)
        }
        if value == .null { return .null }
        if let list = type as? GraphQLList {
            guard let itemType = list.ofType as? any GraphQLInputType else { return value }
            if case .array(let elements) = value {
                var result: [JSONValue] = []
                for (index, element) in elements.enumerated() {
                    result.append(try coerce(element, to: itemType, path: "\(path)[\(index)]"))
                }
                return .array(result)
            }
            return .array([try coerce(value, to: itemType, path: path)])
        }
        if let object = type as? GraphQLInputObjectType {
            guard case .object(let members) = value else {
                throw GraphQLFieldError(.badUserInput, "\(path): expected an object")
            }
            let fields: InputObjectFieldMap
            do { fields = try object.fields() } catch {
                throw GraphQLFieldError(.internalServerError, "internal server error")
            }
            for key in members.keys where fields[key] == nil {
                throw GraphQLFieldError(.badUserInput, "\(path): \(object.name) has no field \(key)")
            }
            var result: [String: JSONValue] = [:]
            for (name, field) in fields {
                if let member = members[name] {
                    result[name] = try coerce(member, to: field.type, path: "\(path).\(name)")
                } else if let defaultValue = field.defaultValue, let converted = JSONValue(graphQLMap: defaultValue) {
                    result[name] = converted
                } else if field.type is GraphQLNonNull {
                    throw GraphQLFieldError(.badUserInput, "\(path).\(name) is required")
                }
            }
            if object.isOneOf {
                guard result.count == 1, result.values.first != .null else {
                    throw GraphQLFieldError(.badUserInput, "\(path): \(object.name) takes exactly one non-null member")
                }
            }
            return .object(result)
        }
        do {
            let parsed: Map
            if let scalar = type as? GraphQLScalarType {
                parsed = try scalar.parseValue(value: value.graphQLMap)
            } else if let enumType = type as? GraphQLEnumType {
                parsed = try enumType.parseValue(value: value.graphQLMap)
            } else {
                return value
            }
            return JSONValue(graphQLMap: parsed) ?? .null
        } catch {
            throw GraphQLFieldError(.badUserInput, "\(path): \((error as? GraphQLError)?.message ?? "invalid value")")
        }
    }

    /// Coerces a literal from the document to `type`; nil when it is a variable that was not given.
    static func literal(
        _ ast: any Value, to type: any GraphQLInputType, variables: [String: JSONValue], path: String
    )
        throws(GraphQLFieldError) -> JSONValue?
    {
        if let variable = ast as? Variable {
            return variables[variable.name.value]
        }
        if let nonNull = type as? GraphQLNonNull {
            guard let inner = nonNull.ofType as? any GraphQLInputType else { return nil }
            guard let value = try literal(ast, to: inner, variables: variables, path: path), value != .null else {
                throw GraphQLFieldError(.badUserInput, "\(path): expected a non-null \(nonNull.ofType)")
            }
            return value
        }
        if ast is NullValue { return .null }
        if let list = type as? GraphQLList {
            guard let itemType = list.ofType as? any GraphQLInputType else { return nil }
            if let listValue = ast as? ListValue {
                var result: [JSONValue] = []
                for (index, element) in listValue.values.enumerated() {
                    result.append(
                        try literal(element, to: itemType, variables: variables, path: "\(path)[\(index)]") ?? .null)
                }
                return .array(result)
            }
            return try literal(ast, to: itemType, variables: variables, path: path).map { .array([$0]) }
        }
        if let object = type as? GraphQLInputObjectType {
            guard let objectValue = ast as? ObjectValue else {
                throw GraphQLFieldError(.badUserInput, "\(path): expected an object")
            }
            let fields: InputObjectFieldMap
            do { fields = try object.fields() } catch {
                throw GraphQLFieldError(.internalServerError, "internal server error")
            }
            var given: [String: any Value] = [:]
            for field in objectValue.fields { given[field.name.value] = field.value }
            var result: [String: JSONValue] = [:]
            for (name, field) in fields {
                if let member = given[name],
                    let value = try literal(member, to: field.type, variables: variables, path: "\(path).\(name)")
                {
                    result[name] = value
                } else if let defaultValue = field.defaultValue, let converted = JSONValue(graphQLMap: defaultValue) {
                    result[name] = converted
                } else if field.type is GraphQLNonNull {
                    throw GraphQLFieldError(.badUserInput, "\(path).\(name) is required")
                }
            }
            if object.isOneOf {
                guard result.count == 1, result.values.first != .null else {
                    throw GraphQLFieldError(.badUserInput, "\(path): \(object.name) takes exactly one non-null member")
                }
            }
            return .object(result)
        }
        do {
            let parsed: Map
            if let scalar = type as? GraphQLScalarType {
                parsed = try scalar.parseLiteral(valueAST: ast)
            } else if let enumType = type as? GraphQLEnumType {
                parsed = try enumType.parseLiteral(valueAST: ast)
            } else {
                return nil
            }
            return JSONValue(graphQLMap: parsed) ?? .null
        } catch {
            throw GraphQLFieldError(.badUserInput, "\(path): \((error as? GraphQLError)?.message ?? "invalid value")")
        }
    }
}
