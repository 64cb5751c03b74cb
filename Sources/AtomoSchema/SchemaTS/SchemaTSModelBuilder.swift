/// Turns a parsed `schema.ts` into a ``Schema``: resolves names, maps types and JSDoc tags, compiles
/// access rules and action bindings, and reports validation problems at their declarations.
struct SchemaTSModelBuilder {
    private let file: String
    private var aliases: [String: TSSyntax.TypeAlias] = [:]
    private var interfaces: [String: TSSyntax.Interface] = [:]
    private var enumNames: Set<String> = []
    private var blockNames: Set<String> = []
    private var variantInterfaces: Set<String> = []
    var entityNames: Set<String> = []
    /// Where each model location (`Contact.email`, `enum Stage`) was declared, for validation problems.
    var locations: [String: TSPosition] = [:]

    init(file: String) { self.file = file }

    func error(
        _ kind: SchemaImportError.Kind, _ message: String, at position: TSPosition, supported: String? = nil
    ) -> SchemaImportError {
        SchemaImportError(
            kind, file: file, line: position.line, column: position.column, message: message, supported: supported)
    }

    // MARK: The schema

    mutating func build(_ syntax: TSSyntax.File) throws(SchemaImportError) -> Schema {
        var declared: [String: TSPosition] = [:]
        // In source order, so that the later declaration is the one reported.
        let declarations =
            (syntax.aliases.map { ($0.name, $0.position) } + syntax.interfaces.map { ($0.name, $0.position) })
            .sorted { ($0.1.line, $0.1.column) < ($1.1.line, $1.1.column) }
        for (name, position) in declarations {
            if declared[name] != nil {
                throw error(.invalidSchema, "'\(name)' is declared more than once", at: position)
            }
            declared[name] = position
        }
        for alias in syntax.aliases { aliases[alias.name] = alias }
        for interface in syntax.interfaces { interfaces[interface.name] = interface }

        var schema = Schema(roles: Schema.defaultRoles, enums: [], blocks: [], entities: [])
        // Classify the aliases first: fields may name types declared after them.
        var unionAliases: [TSSyntax.TypeAlias] = []
        for alias in syntax.aliases {
            if alias.name == "Role" {
                schema.roles = try stringLiterals(alias.type, "Role", what: "the roles")
                locations["roles"] = alias.position
            } else if (try? stringLiterals(alias.type, alias.name, what: "")) != nil {
                enumNames.insert(alias.name)
            } else if isBlockUnion(alias.type) {
                blockNames.insert(alias.name)
                unionAliases.append(alias)
                for case .name(let name, _) in unionMembers(alias.type) { variantInterfaces.insert(name) }
            }
        }
        entityNames = Set(syntax.interfaces.map(\.name)).subtracting(variantInterfaces)

        for alias in syntax.aliases where enumNames.contains(alias.name) {
            let values = try stringLiterals(alias.type, alias.name, what: "")
            schema.enums.append(EnumType(alias.name, values, description: alias.doc?.description))
            locations["enum \(alias.name)"] = alias.position
        }
        for alias in syntax.aliases
        where alias.name != "Role" && !enumNames.contains(alias.name) && !blockNames.contains(alias.name) {
            // A plain alias (type Int = number, type Email = string) must resolve to a field type.
            _ = try fieldType(alias.type, tags: [], at: alias.position)
        }
        for interface in syntax.interfaces where entityNames.contains(interface.name) {
            schema.entities.append(try entity(interface))
        }
        for alias in unionAliases {
            schema.blocks.append(try blockUnion(alias))
        }
        var constants: Set<String> = []
        for constant in syntax.constants {
            guard constants.insert(constant.name).inserted else {
                throw error(.invalidSchema, "'\(constant.name)' is declared more than once", at: constant.position)
            }
            switch constant.name {
            case "access": try applyAccess(constant.value, to: &schema)
            case "capabilities": try applyCapabilities(constant.value, to: &schema)
            default: try applyActions(constant.value, to: &schema)
            }
        }
        do {
            try schema.validate()
        } catch {
            guard case .invalid(let issues) = error else {
                throw self.error(.invalidSchema, "\(error)", at: TSPosition(line: 1, column: 1))
            }
            let errors = issues.map { issue in
                self.error(.invalidSchema, "\(issue.location): \(issue.message)", at: position(of: issue.location))
            }
            guard var first = errors.first else { return schema }
            first.additional = Array(errors.dropFirst())
            throw first
        }
        return schema
    }

    /// The declaration position of a model location, or of its closest enclosing one.
    private func position(of location: String) -> TSPosition {
        var key = location
        while true {
            if let position = locations[key] { return position }
            if let bracket = key.lastIndex(of: "["), let position = locations[String(key[..<bracket])] {
                return position
            }
            guard let dot = key.lastIndex(of: ".") else { break }
            key = String(key[..<dot])
        }
        return TSPosition(line: 1, column: 1)
    }

    // MARK: Aliases

    /// The members of a union, or the type itself.
    private func unionMembers(_ type: TSSyntax.TypeExpression) -> [TSSyntax.TypeExpression] {
        if case .union(let members, _) = type { members } else { [type] }
    }

    /// The values of a union of string literals; throws when the type is anything else.
    private func stringLiterals(
        _ type: TSSyntax.TypeExpression, _ name: String, what: String
    ) throws(SchemaImportError)
        -> [String]
    {
        var values: [String] = []
        for member in unionMembers(type) {
            guard case .stringLiteral(let value, _) = member else {
                throw error(
                    .unsupported, "\(what) must be a union of string literals", at: member.position,
                    supported: "type \(name) = 'A' | 'B' | 'C'")
            }
            values.append(value)
        }
        return values
    }

    /// Whether every member of the union is an object type or an interface with a `type: '…'` member.
    private func isBlockUnion(_ type: TSSyntax.TypeExpression) -> Bool {
        unionMembers(type).allSatisfy { member in
            switch member {
            case .object(let members, _, _): members.contains { $0.name == "type" }
            case .name(let name, _):
                interfaces[name]?.members.contains { member in
                    if member.name == "type", case .stringLiteral = member.type { true } else { false }
                } ?? false
            default: false
            }
        }
    }

    private mutating func blockUnion(_ alias: TSSyntax.TypeAlias) throws(SchemaImportError) -> BlockUnion {
        locations[alias.name] = alias.position
        var variants: [BlockType] = []
        for member in unionMembers(alias.type) {
            let members: [TSSyntax.Member]
            let doc: TSDocComment?
            let position: TSPosition
            switch member {
            case .object(let objectMembers, let objectPosition, let objectDoc):
                (members, doc, position) = (objectMembers, objectDoc, objectPosition)
            case .name(let name, let namePosition):
                guard let interface = interfaces[name] else {
                    throw error(.unknownName, "'\(name)' is not declared", at: namePosition)
                }
                (members, doc, position) = (interface.members, interface.doc, interface.position)
            default:
                throw error(
                    .unsupported, "a block union's members are object types with a type: 'Name' member",
                    at: member.position)
            }
            guard let discriminator = members.first(where: { $0.name == "type" }),
                case .stringLiteral(let variantName, let variantPosition) = discriminator.type
            else {
                throw error(
                    .unsupported, "a block variant names itself with type: 'Name'", at: position,
                    supported: "{ type: 'Paragraph'; text: string }")
            }
            let owner = "\(alias.name).\(variantName)"
            locations[owner] = variantPosition
            var fields: [Field] = []
            for field in members where field.name != "type" {
                fields.append(try self.field(field, owner: owner))
            }
            variants.append(BlockType(variantName, fields, description: doc?.description))
        }
        return BlockUnion(alias.name, variants, description: alias.doc?.description)
    }

    // MARK: Entities and fields

    private mutating func entity(_ interface: TSSyntax.Interface) throws(SchemaImportError) -> Entity {
        locations[interface.name] = interface.position
        var plural: String?
        for tag in interface.doc?.tags ?? [] {
            guard tag.name == "plural" else {
                throw error(
                    .invalidTag, "@\(tag.name) does not apply to an interface", at: tag.position,
                    supported: "@plural Name")
            }
            guard Schema.isIdentifier(tag.value) else {
                throw error(.invalidTag, "@plural takes a name", at: tag.valuePosition, supported: "@plural People")
            }
            plural = tag.value
        }
        var fields: [Field] = []
        for member in interface.members {
            if let expected = Self.systemFieldTypes[member.name] {
                guard case .name(let typeName, _) = member.type, typeName == expected else {
                    throw error(
                        .invalidSchema,
                        "'\(member.name)' is a system field every record has; declare it as \(member.name): \(expected) or leave it out",
                        at: member.position)
                }
                continue
            }
            fields.append(try field(member, owner: interface.name))
        }
        return Entity(interface.name, pluralName: plural, fields: fields, description: interface.doc?.description)
    }

    /// The system fields an interface may declare (they are skipped), with the type they must have.
    static let systemFieldTypes = [
        "id": "string", "version": "number", "createdAt": "Date", "updatedAt": "Date", "createdBy": "string",
        "updatedBy": "string",
    ]

    private mutating func field(_ member: TSSyntax.Member, owner: String) throws(SchemaImportError) -> Field {
        let location = "\(owner).\(member.name)"
        locations[location] = member.position
        let tags = member.doc?.tags ?? []
        for tag in tags where !SchemaImporter.fieldTags.contains(tag.name) {
            throw error(
                .invalidTag, "unknown tag @\(tag.name)", at: tag.position,
                supported: SchemaImporter.fieldTags.map { "@\($0)" }.joined(separator: ", "))
        }
        var isOptional = member.isOptional
        var type = member.type
        if case .union(let members, let position) = type,
            members.contains(where: { if case .null = $0 { true } else { false } })
        {
            let rest = members.filter { if case .null = $0 { false } else { true } }
            isOptional = true
            type = rest.count == 1 ? rest[0] : .union(rest, position)
        }
        var field = Field(member.name, try fieldType(type, tags: tags, at: member.position))
        field.isRequired = !isOptional
        field.description = member.doc?.description
        var length: (min: Int?, max: Int?, index: Int)?
        var range: (min: Double?, max: Double?, index: Int)?
        for tag in tags {
            switch tag.name {
            case "unique":
                try noValue(tag)
                field.isUnique = true
            case "indexed":
                try noValue(tag)
                field.isIndexed = true
            case "pii":
                guard let pii = PIIClassification(rawValue: tag.value) else {
                    throw error(
                        .invalidTag, "@pii takes none, personal or sensitive", at: tag.valuePosition,
                        supported: "@pii personal")
                }
                field.pii = pii
            case "default": field.defaultValue = try literal(tag)
            case "min", "max":
                guard let bound = Double(tag.value) else {
                    throw error(
                        .invalidTag, "@\(tag.name) takes a number", at: tag.valuePosition, supported: "@\(tag.name) 0")
                }
                if range == nil {
                    range = (nil, nil, field.validations.count)
                    field.validations.append(.range(min: nil, max: nil))
                }
                if tag.name == "min" { range?.min = bound } else { range?.max = bound }
            case "minLength", "maxLength":
                guard let bound = Int(tag.value), bound >= 0 else {
                    throw error(
                        .invalidTag, "@\(tag.name) takes a whole number", at: tag.valuePosition,
                        supported: "@\(tag.name) 1")
                }
                if length == nil {
                    length = (nil, nil, field.validations.count)
                    field.validations.append(.length(min: nil, max: nil))
                }
                if tag.name == "minLength" { length?.min = bound } else { length?.max = bound }
            case "pattern":
                guard !tag.value.isEmpty else {
                    throw error(
                        .invalidTag, "@pattern takes a regular expression", at: tag.position,
                        supported: "@pattern ^[A-Z]{2}$")
                }
                field.validations.append(.pattern(tag.value))
            case "oneOf":
                guard case .array(let values) = try literal(tag), !values.isEmpty else {
                    throw error(
                        .invalidTag, "@oneOf takes an array of strings", at: tag.valuePosition,
                        supported: "@oneOf ['a', 'b']")
                }
                var strings: [String] = []
                for value in values {
                    guard let string = value.stringValue else {
                        throw error(
                            .invalidTag, "@oneOf takes an array of strings", at: tag.valuePosition,
                            supported: "@oneOf ['a', 'b']")
                    }
                    strings.append(string)
                }
                field.validations.append(.oneOf(strings))
            case "formerly":
                let names = tag.value.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
                guard !names.isEmpty, names.allSatisfy(Schema.isIdentifier) else {
                    throw error(
                        .invalidTag, "@formerly takes field names", at: tag.valuePosition,
                        supported: "@formerly oldName")
                }
                field.formerNames += names
            default: break  // type tags (@int, @text, @date, @format) were applied by fieldType
            }
        }
        if let length { field.validations[length.index] = .length(min: length.min, max: length.max) }
        if let range { field.validations[range.index] = .range(min: range.min, max: range.max) }
        return field
    }

    private func noValue(_ tag: TSDocComment.Tag) throws(SchemaImportError) {
        guard tag.value.isEmpty else {
            throw error(.invalidTag, "@\(tag.name) takes no value", at: tag.valuePosition, supported: "@\(tag.name)")
        }
    }

    /// Parses a tag's value as a TypeScript literal: a string, number, boolean, null, array or object.
    private func literal(_ tag: TSDocComment.Tag) throws(SchemaImportError) -> JSONValue {
        let supported = "a literal such as 'Lead', 0, 2.5, true, null, ['a'], { key: 1 }"
        var lexer = TSLexer(source: tag.value, file: file)
        let located: SchemaImportError = error(
            .invalidTag, "@\(tag.name) takes a TypeScript literal", at: tag.valuePosition, supported: supported)
        guard !tag.value.isEmpty, let tokens = try? lexer.tokenize() else { throw located }
        var parser = TSParser(tokens: tokens, file: file)
        guard let value = try? parser.expression(), parser.isAtEnd, let json = Self.json(value) else { throw located }
        return json
    }

    /// A literal value as JSON, or nil when it is not a literal.
    static func json(_ value: TSSyntax.Value) -> JSONValue? {
        switch value {
        case .string(let string, _): return .string(string)
        case .number(let text, _): return number(text)
        case .bool(let bool, _): return .bool(bool)
        case .null: return .null
        case .array(let elements, _):
            var values: [JSONValue] = []
            for element in elements {
                guard let json = json(element) else { return nil }
                values.append(json)
            }
            return .array(values)
        case .object(let members, _):
            var object: [String: JSONValue] = [:]
            for member in members {
                guard let json = json(member.value) else { return nil }
                object[member.key] = json
            }
            return .object(object)
        default: return nil
        }
    }

    /// A number literal: an integer when it has no fraction or exponent and fits 64 bits.
    static func number(_ text: String) -> JSONValue? {
        if let int = Int64(text) { return .int(int) }
        return Double(text).map { JSONValue.double($0).canonicalized }
    }

    // MARK: Types

    private func fieldType(
        _ type: TSSyntax.TypeExpression, tags: [TSDocComment.Tag], at position: TSPosition
    )
        throws(SchemaImportError) -> FieldType
    {
        switch type {
        case .array(let element, let arrayPosition):
            if case .name(let name, _) = element, blockNames.contains(name) {
                if let tag = tags.first(where: { ["int", "text", "date", "format"].contains($0.name) }) {
                    throw error(.invalidTag, "@\(tag.name) does not apply to blocks", at: tag.position)
                }
                return .blocks(name)
            }
            let elementType = try fieldType(element, tags: tags, at: arrayPosition)
            switch elementType {
            case .list, .blocks:
                throw error(
                    .unsupported, "lists of lists are not supported", at: element.position,
                    supported: TSParser.Supported.types)
            case .reference(let target):
                throw error(
                    .unsupported, "lists of references are not supported; reference \(target) from the other side",
                    at: element.position, supported: "lists of scalars, enum values or blocks")
            case .json:
                throw error(.unsupported, "lists of unknown are not supported; use unknown", at: element.position)
            default: return .list(elementType)
            }
        case .name(let name, let namePosition):
            return try namedType(name, at: namePosition, tags: tags)
        case .stringLiteral, .union:
            throw error(
                .unsupported, "inline unions are not supported; declare a named type: type Stage = 'Lead' | 'Won'",
                at: type.position, supported: TSParser.Supported.types)
        case .object:
            throw error(
                .unsupported, "inline object types are only supported as block union variants", at: type.position,
                supported: TSParser.Supported.types)
        case .null:
            throw error(.unsupported, "a field cannot be only null", at: type.position, supported: "T | null")
        }
    }

    private func namedType(
        _ name: String, at position: TSPosition, tags: [TSDocComment.Tag]
    ) throws(SchemaImportError)
        -> FieldType
    {
        let typeTags = tags.filter { ["int", "text", "date", "format"].contains($0.name) }
        if let extra = typeTags.dropFirst().first {
            throw error(.invalidTag, "a field takes one of @int, @text, @date and @format", at: extra.position)
        }
        let typeTag = typeTags.first
        func misplaced() -> SchemaImportError {
            let tag = typeTag?.name ?? ""
            let fits = ["int": "number", "text": "string", "date": "string or Date", "format": "string"][tag] ?? ""
            return error(
                .invalidTag, "@\(tag) applies to \(fits) fields, not \(name)", at: typeTag?.position ?? position)
        }
        if let typeTag, typeTag.name != "format" { try noValue(typeTag) }
        switch name {
        case "string":
            switch typeTag?.name {
            case nil: return .string
            case "text": return .text
            case "date": return .date
            case "format":
                switch typeTag?.value {
                case "email": return .email
                case "url": return .url
                default:
                    throw error(
                        .invalidTag, "@format takes email or url", at: typeTag?.valuePosition ?? position,
                        supported: "@format email, @format url")
                }
            default: throw misplaced()
            }
        case "number":
            switch typeTag?.name {
            case nil: return .float
            case "int": return .int
            default: throw misplaced()
            }
        case "Date":
            switch typeTag?.name {
            case nil: return .datetime
            case "date": return .date
            default: throw misplaced()
            }
        case "boolean", "unknown":
            guard typeTag == nil else { throw misplaced() }
            return name == "boolean" ? .bool : .json
        case "Role":
            throw error(
                .unsupported, "a field of type Role is not supported; roles belong to users, not records", at: position,
                supported: TSParser.Supported.types)
        default:
            break
        }
        if enumNames.contains(name) {
            guard typeTag == nil else { throw misplaced() }
            return .enumeration(name)
        }
        if blockNames.contains(name) {
            throw error(.unsupported, "blocks come in lists: write \(name)[]", at: position, supported: "\(name)[]")
        }
        if entityNames.contains(name) {
            guard typeTag == nil else { throw misplaced() }
            return .reference(name)
        }
        if variantInterfaces.contains(name) {
            throw error(.unsupported, "'\(name)' is a block variant; fields hold its union as a list", at: position)
        }
        if let alias = aliases[name] {
            // type Int = number is the one alias with a meaning of its own.
            if name == "Int", case .name("number", _) = alias.type {
                guard typeTag == nil || typeTag?.name == "int" else { throw misplaced() }
                return .int
            }
            return try fieldType(alias.type, tags: tags, at: position)
        }
        if ["any", "object", "bigint", "symbol", "never", "void", "Record", "Map", "Set"].contains(name) {
            throw error(
                .unsupported, "the type '\(name)' is not supported", at: position, supported: TSParser.Supported.types)
        }
        throw error(
            .unknownName, "the type '\(name)' is not declared", at: position, supported: TSParser.Supported.types)
    }
}
