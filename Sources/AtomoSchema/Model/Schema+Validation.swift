import Foundation

extension Schema {
    /// Checks that the schema is consistent and throws every problem at once.
    ///
    /// Names are identifiers (`^[A-Za-z_][A-Za-z0-9_]*$`) and unique where they must be; entity names
    /// start with a capital letter; references, enums and block unions named by fields exist; list
    /// elements are scalars or enums; block fields are not blocks; defaults and validations fit their
    /// field's type; patterns compile; access rules name only `role`, `user` and `record`, and roles
    /// (declared, or the reserved `anonymous`) and fields that exist; action conditions name fields that exist.
    public func validate() throws(SchemaError) {
        var issues: [SchemaIssue] = []
        func check(_ condition: Bool, _ location: String, _ message: @autoclosure () -> String) {
            if !condition { issues.append(SchemaIssue(location, message())) }
        }

        check(!roles.isEmpty, "roles", "a schema declares at least one role")
        for role in roles { check(Self.isIdentifier(role), "roles", "'\(role)' is not an identifier") }
        check(Set(roles).count == roles.count, "roles", "a role is declared twice")
        check(
            !roles.contains(Principal.anonymousRoleName), "roles",
            "'\(Principal.anonymousRoleName)' is reserved: access rules name callers without a token with it")
        for role in capabilities.keys.sorted() {
            check(roles.contains(role), "capabilities.\(role)", "'\(role)' is not a declared role")
            let granted = capabilities[role] ?? []
            check(Set(granted).count == granted.count, "capabilities.\(role)", "a capability is granted twice")
        }

        var typeNames: Set<String> = []
        for name in enums.map(\.name) + blocks.map(\.name) + entities.map(\.name) {
            check(Self.isIdentifier(name), name, "not an identifier (letters, digits, _; not starting with a digit)")
            check(typeNames.insert(name).inserted, name, "the name is used by more than one type")
        }
        for enumType in enums {
            check(!enumType.values.isEmpty, "enum \(enumType.name)", "an enum has at least one value")
            check(Set(enumType.values).count == enumType.values.count, "enum \(enumType.name)", "a value is repeated")
        }
        for union in blocks {
            check(!union.variants.isEmpty, union.name, "a block union has at least one variant")
            var variantNames: Set<String> = []
            for variant in union.variants {
                let location = "\(union.name).\(variant.name)"
                check(Self.isIdentifier(variant.name), location, "not an identifier")
                check(variantNames.insert(variant.name).inserted, location, "the variant is declared twice")
                checkFields(variant.fields, in: location, allowBlocks: false, issues: &issues)
                check(variant.field("type") == nil, location, "'type' is reserved for the block's variant name")
            }
        }
        for entity in entities {
            check(entity.name.first?.isUppercase == true, entity.name, "an entity's name starts with a capital letter")
            check(!entity.fields.isEmpty, entity.name, "an entity declares at least one field")
            checkFields(entity.fields, in: entity.name, allowBlocks: true, issues: &issues)
            for field in entity.fields {
                check(
                    !Entity.systemFieldNames.contains(field.name), "\(entity.name).\(field.name)",
                    "'\(field.name)' is a system field every record has")
            }
            if let access = entity.access {
                for operation in [AccessOperation.read, .create, .update, .delete] {
                    guard let rule = access.rule(for: operation) else { continue }
                    checkRule(
                        rule, entity: entity, location: "\(entity.name).access.\(operation.rawValue)", issues: &issues)
                }
            }
            for (index, binding) in entity.actions.enumerated() {
                let location = "\(entity.name).actions[\(index)]"
                check(!binding.action.isEmpty, location, "the action needs a name")
                if let condition = binding.condition {
                    for field in Self.fields(in: condition) where entity.field(field) == nil {
                        issues.append(
                            SchemaIssue(location, "the condition names '\(field)', which \(entity.name) does not have"))
                    }
                }
            }
        }
        if !issues.isEmpty { throw .invalid(issues) }
    }

    private func checkFields(_ fields: [Field], in owner: String, allowBlocks: Bool, issues: inout [SchemaIssue]) {
        var names: Set<String> = []
        for field in fields {
            let location = "\(owner).\(field.name)"
            if !Self.isIdentifier(field.name) { issues.append(SchemaIssue(location, "not an identifier")) }
            if !names.insert(field.name).inserted {
                issues.append(SchemaIssue(location, "the field is declared twice"))
            }
            switch field.type {
            case .reference(let target) where entity(target) == nil:
                issues.append(SchemaIssue(location, "references '\(target)', which is not an entity"))
            case .enumeration(let name) where enumType(name) == nil:
                issues.append(SchemaIssue(location, "names enum '\(name)', which is not declared"))
            case .blocks(let name):
                if !allowBlocks {
                    issues.append(SchemaIssue(location, "blocks cannot nest inside blocks"))
                } else if blockUnion(name) == nil {
                    issues.append(SchemaIssue(location, "names block union '\(name)', which is not declared"))
                }
            case .list(let element):
                switch element {
                case .list, .blocks, .json, .reference:
                    issues.append(
                        SchemaIssue(location, "a list holds scalars or enum values, not \(element.displayName)"))
                case .enumeration(let name) where enumType(name) == nil:
                    issues.append(SchemaIssue(location, "names enum '\(name)', which is not declared"))
                default: break
                }
            default: break
            }
            if field.isUnique && !field.type.isScalar {
                issues.append(SchemaIssue(location, "only scalar fields can be unique"))
            }
            if field.isIndexed && !field.type.isScalar {
                issues.append(SchemaIssue(location, "only scalar fields can be indexed"))
            }
            for validation in field.validations {
                switch validation {
                case .length(let min, let max):
                    let fits: Bool
                    switch field.type {
                    case .list: fits = true
                    default: fits = field.type.isStringLike
                    }
                    if !fits { issues.append(SchemaIssue(location, "a length check needs a string or list field")) }
                    if let min, let max, min > max {
                        issues.append(SchemaIssue(location, "length min \(min) > max \(max)"))
                    }
                    if let min, min < 0 { issues.append(SchemaIssue(location, "length min is negative")) }
                case .range(let min, let max):
                    if field.type != .int && field.type != .float {
                        issues.append(SchemaIssue(location, "a range check needs an int or float field"))
                    }
                    if let min, let max, min > max {
                        issues.append(SchemaIssue(location, "range min \(min) > max \(max)"))
                    }
                case .pattern(let pattern):
                    if !field.type.isStringLike {
                        issues.append(SchemaIssue(location, "a pattern needs a string field"))
                    }
                    if (try? NSRegularExpression(pattern: pattern)) == nil {
                        issues.append(
                            SchemaIssue(location, "the pattern '\(pattern)' is not a valid regular expression"))
                    }
                case .oneOf(let values):
                    if !field.type.isStringLike { issues.append(SchemaIssue(location, "oneOf needs a string field")) }
                    if values.isEmpty { issues.append(SchemaIssue(location, "oneOf lists at least one value")) }
                }
            }
            if let value = field.defaultValue, !defaultFits(value, field.type) {
                issues.append(
                    SchemaIssue(location, "the default \(value.typeName) does not fit \(field.type.displayName)"))
            }
        }
    }

    private func defaultFits(_ value: JSONValue, _ type: FieldType) -> Bool {
        switch (type, value) {
        case (_, .null): return true
        case (.json, _): return true
        case (.int, .int): return true
        case (.float, .int), (.float, .double): return true
        case (.bool, .bool): return true
        case (.enumeration(let name), .string(let string)): return enumType(name)?.values.contains(string) ?? false
        case (.list(let element), .array(let elements)): return elements.allSatisfy { defaultFits($0, element) }
        case (.blocks, .array(let elements)): return elements.isEmpty
        case (.reference, _): return false
        case (_, .string): return type.isStringLike
        default: return false
        }
    }

    private func checkRule(_ rule: AccessExpression, entity: Entity, location: String, issues: inout [SchemaIssue]) {
        for path in rule.paths {
            guard let root = path.first, AccessExpression.roots.contains(root) else {
                issues.append(
                    SchemaIssue(
                        location, "'\(path.joined(separator: "."))' is unknown; rules read role, user and record"))
                continue
            }
            if root == "record", path.count > 1, entity.field(path[1]) == nil,
                !Entity.systemFieldNames.contains(path[1])
            {
                issues.append(SchemaIssue(location, "record.\(path[1]): \(entity.name) has no such field"))
            }
        }
        collectComparisons(rule) { left, right in
            for (pathSide, literalSide) in [(left, right), (right, left)] {
                if case .path(["role"]) = pathSide, case .literal(.string(let role)) = literalSide,
                    !roles.contains(role), role != Principal.anonymousRoleName
                {
                    issues.append(
                        SchemaIssue(location, "'\(role)' is not a declared role (\(roles.joined(separator: ", ")))"))
                }
            }
        }
        collectFieldLists(rule) { name in
            if entity.field(name) == nil && !Entity.systemFieldNames.contains(name) {
                issues.append(SchemaIssue(location, "'\(name)' is not a field of \(entity.name)"))
            }
        }
    }

    private func collectComparisons(_ rule: AccessExpression, _ visit: (AccessExpression, AccessExpression) -> Void) {
        switch rule {
        case .equal(let l, let r), .notEqual(let l, let r):
            visit(l, r)
            collectComparisons(l, visit)
            collectComparisons(r, visit)
        case .and(let l, let r), .or(let l, let r):
            collectComparisons(l, visit)
            collectComparisons(r, visit)
        case .not(let operand): collectComparisons(operand, visit)
        case .array(let elements): elements.forEach { collectComparisons($0, visit) }
        case .conditional(let t, let a, let b): [t, a, b].forEach { collectComparisons($0, visit) }
        case .literal, .path: break
        }
    }

    /// Visits the field names listed by a read rule's array results (the arrays it can return).
    private func collectFieldLists(_ rule: AccessExpression, _ visit: (String) -> Void) {
        switch rule {
        case .array(let elements):
            for case .literal(.string(let name)) in elements { visit(name) }
        case .literal(.array(let elements)):
            for case .string(let name) in elements { visit(name) }
        case .conditional(_, let a, let b):
            collectFieldLists(a, visit)
            collectFieldLists(b, visit)
        case .and(_, let r): collectFieldLists(r, visit)
        case .or(let l, let r):
            collectFieldLists(l, visit)
            collectFieldLists(r, visit)
        default: break
        }
    }

    private static func fields(in condition: ActionCondition) -> [String] {
        switch condition {
        case .changedAny(let fields): fields
        case .fieldEquals(let field, _): [field]
        case .all(let conditions), .any(let conditions): conditions.flatMap(fields(in:))
        }
    }

    /// Whether `name` matches `^[A-Za-z_][A-Za-z0-9_]*$`.
    public static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
    }
}
