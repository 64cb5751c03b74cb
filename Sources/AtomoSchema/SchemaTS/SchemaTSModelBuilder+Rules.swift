extension SchemaTSModelBuilder {
    static let accessSupported =
        "export const access = { Entity: { read, create, update, delete: ({ role, user, record }) => … } }"
    static let actionsSupported =
        "export const actions = { Entity: { created | updated | deleted: ['action', { action: 'name', when: Condition }] } }"
    static let conditionsSupported =
        "ChangedAny(['field', …]), FieldEquals('field', value), All([condition, …]), Any([condition, …])"

    static let capabilitiesSupported =
        "export const capabilities = { Role: ['manageUsers', 'readEventLog', 'readAudit', 'operateProjections', "
        + "'operateJobs', 'readMetrics', 'runAction:name', 'runAction:*'] }"

    // MARK: Capabilities

    /// Reads `export const capabilities = { Manager: ['readAudit', 'runAction:scoreDeal'] }`.
    mutating func applyCapabilities(_ value: TSSyntax.Value, to schema: inout Schema) throws(SchemaImportError) {
        guard case .object(let roles, _) = value else {
            throw error(
                .unsupported, "capabilities is an object keyed by role", at: value.position,
                supported: Self.capabilitiesSupported)
        }
        for (role, position, list) in roles {
            guard schema.roles.contains(role) else {
                throw error(
                    .unknownName, "'\(role)' is not a role", at: position, supported: Self.capabilitiesSupported)
            }
            guard schema.capabilities[role] == nil else {
                throw error(.invalidSchema, "capabilities for '\(role)' are given twice", at: position)
            }
            guard case .array(let elements, _) = list else {
                throw error(
                    .unsupported, "a role's capabilities are a list of names", at: list.position,
                    supported: Self.capabilitiesSupported)
            }
            var granted: [PlatformCapability] = []
            for element in elements {
                guard case .string(let name, let namePosition) = element,
                    let capability = PlatformCapability(name: name)
                else {
                    throw error(
                        .unsupported, "not a capability", at: element.position, supported: Self.capabilitiesSupported)
                }
                guard !granted.contains(capability) else {
                    throw error(.invalidSchema, "'\(name)' is granted twice", at: namePosition)
                }
                granted.append(capability)
            }
            locations["capabilities.\(role)"] = position
            schema.capabilities[role] = granted
        }
    }

    // MARK: Access

    /// Reads `export const access = { Entity: { read: …, update: … } }` into the entities' rules.
    mutating func applyAccess(_ value: TSSyntax.Value, to schema: inout Schema) throws(SchemaImportError) {
        guard case .object(let entities, _) = value else {
            throw error(
                .unsupported, "access is an object keyed by entity", at: value.position, supported: Self.accessSupported
            )
        }
        var seen: Set<String> = []
        for (name, position, rules) in entities {
            guard let index = schema.entities.firstIndex(where: { $0.name == name }) else {
                throw error(.unknownName, "'\(name)' is not an entity", at: position, supported: Self.accessSupported)
            }
            guard seen.insert(name).inserted else {
                throw error(.invalidSchema, "access for '\(name)' is given twice", at: position)
            }
            guard case .object(let members, _) = rules else {
                throw error(
                    .unsupported, "an entity's access is an object of rules", at: rules.position,
                    supported: Self.accessSupported)
            }
            var access = EntityAccess()
            var operations: Set<String> = []
            for (key, keyPosition, rule) in members {
                guard let operation = AccessOperation(rawValue: key), operation != .restore else {
                    throw error(
                        .unsupported, "'\(key)' is not a rule", at: keyPosition,
                        supported: "read, create, update, delete")
                }
                guard operations.insert(key).inserted else {
                    throw error(.invalidSchema, "the \(key) rule is given twice", at: keyPosition)
                }
                locations["\(name).access.\(key)"] = keyPosition
                let expression = try accessRule(rule)
                switch operation {
                case .read: access.read = expression
                case .create: access.create = expression
                case .update: access.update = expression
                case .delete, .restore: access.delete = expression
                }
            }
            schema.entities[index].access = operations.isEmpty ? nil : access
        }
    }

    /// A rule: an arrow function over `{ role, user, record }`, or a constant (`true`, `['id', 'name']`).
    private func accessRule(_ value: TSSyntax.Value) throws(SchemaImportError) -> AccessExpression {
        guard case .arrow(let parameters, let body, _) = value else {
            return try accessExpression(value, parameters: .none)
        }
        if case .destructured(let names) = parameters {
            for (name, position) in names where !AccessExpression.roots.contains(name) {
                throw error(
                    .unknownName, "'\(name)' is not something rules can see", at: position,
                    supported: "role, user, record")
            }
        }
        return try accessExpression(body, parameters: parameters)
    }

    private func accessExpression(
        _ value: TSSyntax.Value, parameters: TSSyntax.Parameters
    ) throws(SchemaImportError)
        -> AccessExpression
    {
        func sub(_ value: TSSyntax.Value) throws(SchemaImportError) -> AccessExpression {
            try accessExpression(value, parameters: parameters)
        }
        switch value {
        case .string, .number, .bool, .null:
            guard let json = Self.json(value) else { return .literal(.null) }
            return .literal(json)
        case .array(let elements, _):
            var expressions: [AccessExpression] = []
            for element in elements { expressions.append(try sub(element)) }
            return .arrayLiteral(expressions)
        case .identifier(let name, let position):
            switch parameters {
            case .destructured(let names) where names.contains(where: { $0.name == name }):
                return .path([name])
            case .single(let context, _) where context == name:
                throw error(
                    .unsupported, "use \(name).role, \(name).user or \(name).record", at: position,
                    supported: TSParser.Supported.expressions)
            default:
                throw error(
                    .unknownName, "'\(name)' is not defined here", at: position,
                    supported: "the parameters role, user and record (destructured), or ctx.role, ctx.user, ctx.record")
            }
        case .member(let base, let property, let position):
            if case .single(let context, _) = parameters, case .identifier(context, _) = base {
                guard AccessExpression.roots.contains(property) else {
                    throw error(
                        .unknownName, "'\(context).\(property)' is not something rules can see", at: position,
                        supported: "\(context).role, \(context).user, \(context).record")
                }
                return .path([property])
            }
            guard case .path(let components) = try sub(base) else {
                throw error(
                    .unsupported, "property access works on role, user and record", at: position,
                    supported: TSParser.Supported.expressions)
            }
            return .path(components + [property])
        case .not(let operand, _):
            return .not(try sub(operand))
        case .binary(let op, let left, let right, _):
            let (l, r) = (try sub(left), try sub(right))
            switch op {
            case "===": return .equal(l, r)
            case "!==": return .notEqual(l, r)
            case "&&": return .and(l, r)
            default: return .or(l, r)
            }
        case .conditional(let test, let then, let otherwise, _):
            return .conditional(try sub(test), try sub(then), try sub(otherwise))
        case .call(let name, _, let position):
            throw error(
                .unsupported, "calls such as \(name)(…) are not supported in rules", at: position,
                supported: TSParser.Supported.expressions)
        case .object(_, let position):
            throw error(
                .unsupported, "object literals are not supported in rules", at: position,
                supported: TSParser.Supported.expressions)
        case .arrow(_, _, let position):
            throw error(
                .unsupported, "a rule is one arrow function", at: position, supported: TSParser.Supported.expressions)
        }
    }

    // MARK: Actions

    /// Reads `export const actions = { Deal: { updated: [{ action: 'notify', when: ChangedAny(['stage']) }] } }`.
    ///
    /// An entity's bindings are either an object keyed by lifecycle event, each a list of action names
    /// or `{ action, when }` objects, or a flat list of `{ on, action, when }` objects (which keeps any order).
    mutating func applyActions(_ value: TSSyntax.Value, to schema: inout Schema) throws(SchemaImportError) {
        guard case .object(let entities, _) = value else {
            throw error(
                .unsupported, "actions is an object keyed by entity", at: value.position,
                supported: Self.actionsSupported)
        }
        var seen: Set<String> = []
        for (name, position, bindings) in entities {
            guard let index = schema.entities.firstIndex(where: { $0.name == name }) else {
                throw error(.unknownName, "'\(name)' is not an entity", at: position, supported: Self.actionsSupported)
            }
            guard seen.insert(name).inserted else {
                throw error(.invalidSchema, "actions for '\(name)' are given twice", at: position)
            }
            var result: [ActionBinding] = []
            func append(_ binding: ActionBinding, at position: TSPosition) {
                locations["\(name).actions[\(result.count)]"] = position
                result.append(binding)
            }
            switch bindings {
            case .object(let events, _):
                for (key, keyPosition, list) in events {
                    guard let event = LifecycleEvent(rawValue: key) else {
                        throw error(
                            .unsupported, "'\(key)' is not a lifecycle event", at: keyPosition,
                            supported: "created, updated, deleted")
                    }
                    guard case .array(let elements, _) = list else {
                        throw error(
                            .unsupported, "a lifecycle event takes a list of actions", at: list.position,
                            supported: "['action', { action: 'name', when: Condition }]")
                    }
                    for element in elements {
                        append(try binding(element, event: event), at: element.position)
                    }
                }
            case .array(let elements, _):
                for element in elements {
                    append(try binding(element, event: nil), at: element.position)
                }
            default:
                throw error(
                    .unsupported, "an entity's actions are an object keyed by lifecycle event", at: bindings.position,
                    supported: Self.actionsSupported)
            }
            schema.entities[index].actions = result
        }
    }

    /// `'name'`, `{ action: 'name', when: … }`, or in the flat form `{ on: 'updated', action: 'name', when: … }`.
    private func binding(_ value: TSSyntax.Value, event: LifecycleEvent?) throws(SchemaImportError) -> ActionBinding {
        let supported =
            event == nil
            ? "{ on: 'updated', action: 'name', when: Condition }" : "'name' or { action: 'name', when: Condition }"
        if let event, case .string(let action, _) = value { return ActionBinding(on: event, action: action) }
        guard case .object(let members, let position) = value else {
            throw error(
                .unsupported, "an action binding is a name or an object", at: value.position, supported: supported)
        }
        var lifecycle = event
        var action: String?
        var condition: ActionCondition?
        for (key, keyPosition, member) in members {
            switch (key, member) {
            case ("on", .string(let raw, let rawPosition)) where event == nil:
                guard let parsed = LifecycleEvent(rawValue: raw) else {
                    throw error(
                        .unsupported, "'\(raw)' is not a lifecycle event", at: rawPosition,
                        supported: "created, updated, deleted")
                }
                lifecycle = parsed
            case ("action", .string(let name, _)): action = name
            case ("when", _): condition = try self.condition(member)
            default:
                throw error(.unsupported, "'\(key)' is not supported here", at: keyPosition, supported: supported)
            }
        }
        guard let lifecycle, let action else {
            throw error(
                .unsupported, "the binding needs \(lifecycle == nil ? "on and " : "")action", at: position,
                supported: supported)
        }
        return ActionBinding(on: lifecycle, action: action, when: condition)
    }

    private func condition(_ value: TSSyntax.Value) throws(SchemaImportError) -> ActionCondition {
        guard case .call(let name, let arguments, let position) = value else {
            throw error(.unsupported, "a condition is a call", at: value.position, supported: Self.conditionsSupported)
        }
        guard ["ChangedAny", "FieldEquals", "All", "Any"].contains(name) else {
            throw error(.unknownName, "'\(name)' is not a condition", at: position, supported: Self.conditionsSupported)
        }
        let invalid = error(
            .unsupported, "\(name) takes other arguments", at: position, supported: Self.conditionsSupported)
        if name == "FieldEquals" {
            guard arguments.count == 2, case .string(let field, _) = arguments[0] else { throw invalid }
            guard let json = Self.json(arguments[1]) else {
                throw error(
                    .unsupported, "FieldEquals compares with a literal", at: arguments[1].position,
                    supported: "FieldEquals('stage', 'Won')")
            }
            return .fieldEquals(field, json)
        }
        guard arguments.count == 1, case .array(let elements, _) = arguments[0] else { throw invalid }
        if name == "ChangedAny" {
            var fields: [String] = []
            for element in elements {
                guard case .string(let field, _) = element else {
                    throw error(
                        .unsupported, "ChangedAny takes field names", at: element.position,
                        supported: "ChangedAny(['stage'])")
                }
                fields.append(field)
            }
            return .changedAny(fields)
        }
        var conditions: [ActionCondition] = []
        for element in elements { conditions.append(try condition(element)) }
        return name == "All" ? .all(conditions) : .any(conditions)
    }
}
