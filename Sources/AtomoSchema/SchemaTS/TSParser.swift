/// A recursive-descent parser for the `schema.ts` subset (see `docs/guide/schema-ts.md`).
///
/// It accepts exactly the documented subset and stops at the first token outside it with a
/// ``SchemaImportError`` that names the token's position and what is supported there.
struct TSParser {
    /// What the subset supports, by context, for error messages.
    enum Supported {
        static let statements =
            "export interface, export type (a string-literal union, a block union, an alias such as type Int = number), "
            + "export const access = { … }, export const actions = { … }, export const capabilities = { … }"
        static let types =
            "string, number, boolean, Date, unknown, Int, T[], Array<T>, T | null, names of interfaces, "
            + "string-literal unions and block unions"
        static let members =
            "name: Type or name?: Type, separated by ; , or new lines, each after an optional /** JSDoc */"
        static let expressions =
            "===, !==, &&, ||, !, ?:, parentheses, array literals, string, number, boolean and null literals, "
            + "property access on role, user and record"
        static let parameters =
            "({ role, user, record }) with or without a type annotation, a single parameter such as ctx, or ()"
    }

    private let tokens: [TSToken]
    private let file: String
    private var index = 0

    init(tokens: [TSToken], file: String) {
        self.tokens = tokens
        self.file = file
    }

    // MARK: Tokens

    private var current: TSToken { tokens[min(index, tokens.count - 1)] }
    private func peek(_ offset: Int) -> TSToken { tokens[min(index + offset, tokens.count - 1)] }
    private mutating func advance() { index += 1 }

    /// Whether every token has been read.
    var isAtEnd: Bool { if case .end = current.kind { true } else { false } }

    private func error(
        _ kind: SchemaImportError.Kind, _ message: String, at position: TSPosition? = nil, supported: String? = nil
    ) -> SchemaImportError {
        let position = position ?? current.position
        return SchemaImportError(
            kind, file: file, line: position.line, column: position.column, message: message, supported: supported)
    }

    private func unexpected(_ expected: String, supported: String? = nil) -> SchemaImportError {
        if case .template = current.kind {
            return error(.unsupported, "template strings are not supported", supported: "'…' and \"…\" strings")
        }
        return error(.syntax, "expected \(expected), found \(current.display)", supported: supported)
    }

    private mutating func expect(_ punctuation: String, supported: String? = nil) throws(SchemaImportError) {
        guard current.isPunctuation(punctuation) else { throw unexpected("'\(punctuation)'", supported: supported) }
        advance()
    }

    private mutating func identifier(
        _ what: String, supported: String? = nil
    ) throws(SchemaImportError) -> (
        String, TSPosition
    ) {
        guard let name = current.identifier else { throw unexpected(what, supported: supported) }
        let position = current.position
        advance()
        return (name, position)
    }

    private mutating func skip(_ punctuation: String) -> Bool {
        guard current.isPunctuation(punctuation) else { return false }
        advance()
        return true
    }

    // MARK: Statements

    mutating func parseFile() throws(SchemaImportError) -> TSSyntax.File {
        var file = TSSyntax.File()
        while true {
            if case .end = current.kind { return file }
            if skip(";") { continue }
            let doc = current.doc
            if current.isIdentifier("export") {
                advance()
                if current.isIdentifier("default") {
                    throw error(.unsupported, "default exports are not supported", supported: Supported.statements)
                }
            }
            guard let keyword = current.identifier else {
                throw unexpected("a declaration", supported: Supported.statements)
            }
            switch keyword {
            case "interface":
                advance()
                file.interfaces.append(try interface(doc: doc))
            case "type":
                advance()
                let (name, position) = try identifier("a type name")
                if current.isPunctuation("<") {
                    throw error(.unsupported, "generic type aliases are not supported", supported: Supported.statements)
                }
                try expect("=")
                file.aliases.append(TSSyntax.TypeAlias(name: name, position: position, type: try type(), doc: doc))
            case "const":
                advance()
                let (name, position) = try identifier("a constant name")
                guard name == "access" || name == "actions" || name == "capabilities" else {
                    throw error(
                        .unsupported, "constants other than 'access', 'actions' and 'capabilities' are not supported",
                        at: position,
                        supported: Supported.statements)
                }
                if current.isPunctuation(":") {
                    throw error(
                        .unsupported, "a type annotation on '\(name)' is not supported", supported: Supported.statements
                    )
                }
                try expect("=")
                let value = try expression()
                if current.isIdentifier("as") && peek(1).isIdentifier("const") {
                    advance()
                    advance()
                }
                file.constants.append(TSSyntax.Constant(name: name, position: position, value: value))
            case "enum":
                throw error(
                    .unsupported,
                    "TypeScript enums are not supported; write a string-literal union: type Stage = 'Lead' | 'Won'",
                    supported: Supported.statements)
            case "import":
                throw error(
                    .unsupported, "imports are not supported: schema.ts is self-contained",
                    supported: Supported.statements)
            default:
                throw error(
                    .unsupported, "'\(keyword)' declarations are not supported", supported: Supported.statements)
            }
        }
    }

    private mutating func interface(doc: TSDocComment?) throws(SchemaImportError) -> TSSyntax.Interface {
        let (name, position) = try identifier("an interface name")
        if current.isPunctuation("<") {
            throw error(.unsupported, "generic interfaces are not supported", supported: Supported.statements)
        }
        if current.isIdentifier("extends") {
            throw error(
                .unsupported, "'extends' is not supported: declare every field", supported: Supported.statements)
        }
        try expect("{")
        let members = try members()
        return TSSyntax.Interface(name: name, position: position, members: members, doc: doc)
    }

    /// Members up to and including the closing `}`.
    private mutating func members() throws(SchemaImportError) -> [TSSyntax.Member] {
        var members: [TSSyntax.Member] = []
        while !skip("}") {
            let doc = current.doc
            if current.isIdentifier("readonly") && peek(1).identifier != nil {
                throw error(.unsupported, "'readonly' is not supported", supported: Supported.members)
            }
            if current.isPunctuation("[") {
                throw error(.unsupported, "index signatures are not supported", supported: Supported.members)
            }
            let (name, position) = try identifier("a field name or '}'", supported: Supported.members)
            let isOptional = skip("?")
            if current.isPunctuation("(") {
                throw error(.unsupported, "methods are not supported", supported: Supported.members)
            }
            try expect(":", supported: Supported.members)
            let type = try type()
            members.append(
                TSSyntax.Member(name: name, position: position, isOptional: isOptional, type: type, doc: doc))
            _ = skip(";") || skip(",")
        }
        return members
    }

    // MARK: Types

    private mutating func type() throws(SchemaImportError) -> TSSyntax.TypeExpression {
        let start = current.position
        _ = skip("|")
        var members = [try postfixType()]
        while skip("|") { members.append(try postfixType()) }
        if current.isPunctuation("&") {
            throw error(.unsupported, "intersection types are not supported", supported: Supported.types)
        }
        return members.count == 1 ? members[0] : .union(members, start)
    }

    private mutating func postfixType() throws(SchemaImportError) -> TSSyntax.TypeExpression {
        var type = try primaryType()
        while current.isPunctuation("[") {
            let position = current.position
            advance()
            try expect("]", supported: Supported.types)
            type = .array(type, position)
        }
        return type
    }

    private mutating func primaryType() throws(SchemaImportError) -> TSSyntax.TypeExpression {
        let token = current
        switch token.kind {
        case .identifier(let name):
            advance()
            if name == "null" || name == "undefined" { return .null(token.position) }
            if current.isPunctuation("<") {
                guard name == "Array" else {
                    throw error(
                        .unsupported, "generic types other than Array<T> are not supported", supported: Supported.types)
                }
                advance()
                let element = try type()
                try expect(">", supported: Supported.types)
                return .array(element, token.position)
            }
            if current.isPunctuation(".") {
                throw error(.unsupported, "qualified type names are not supported", supported: Supported.types)
            }
            return .name(name, token.position)
        case .string(let value):
            advance()
            return .stringLiteral(value, token.position)
        case .punctuation("{"):
            advance()
            return .object(try members(), token.position, token.doc)
        case .punctuation("("):
            advance()
            let inner = try type()
            try expect(")", supported: Supported.types)
            return inner
        case .number:
            throw error(.unsupported, "number literal types are not supported", supported: Supported.types)
        default:
            throw unexpected("a type", supported: Supported.types)
        }
    }

    // MARK: Values and rule expressions

    mutating func expression() throws(SchemaImportError) -> TSSyntax.Value {
        let test = try or()
        guard current.isPunctuation("?") else { return test }
        let position = current.position
        advance()
        let then = try expression()
        try expect(":", supported: Supported.expressions)
        let otherwise = try expression()
        return .conditional(test, then, otherwise, position)
    }

    private mutating func or() throws(SchemaImportError) -> TSSyntax.Value {
        var left = try and()
        while current.isPunctuation("||") {
            let position = current.position
            advance()
            left = .binary("||", left, try and(), position)
        }
        return left
    }

    private mutating func and() throws(SchemaImportError) -> TSSyntax.Value {
        var left = try equality()
        while current.isPunctuation("&&") {
            let position = current.position
            advance()
            left = .binary("&&", left, try equality(), position)
        }
        return left
    }

    private mutating func equality() throws(SchemaImportError) -> TSSyntax.Value {
        var left = try unary()
        while true {
            let token = current
            if token.isPunctuation("===") || token.isPunctuation("!==") {
                advance()
                guard case .punctuation(let op) = token.kind else { break }
                left = .binary(op, left, try unary(), token.position)
            } else if token.isPunctuation("==") || token.isPunctuation("!=") {
                guard case .punctuation(let op) = token.kind else { break }
                throw error(
                    .unsupported, "'\(op)' is not supported; use '\(op)=' (strict equality)",
                    supported: Supported.expressions)
            } else if case .punctuation(let op) = token.kind,
                ["<", ">", "<=", ">=", "+", "-", "*", "/", "%", "??", "?.", "&", "|", "^", "**", "=", "+=", "-="]
                    .contains(op)
            {
                throw error(.unsupported, "'\(op)' is not supported in rules", supported: Supported.expressions)
            } else if token.isIdentifier("in") || token.isIdentifier("instanceof") {
                throw error(
                    .unsupported, "'\(token.identifier ?? "")' is not supported in rules",
                    supported: Supported.expressions)
            } else {
                return left
            }
        }
        return left
    }

    private mutating func unary() throws(SchemaImportError) -> TSSyntax.Value {
        let token = current
        if token.isPunctuation("!") {
            advance()
            return .not(try unary(), token.position)
        }
        if token.isPunctuation("-"), case .number(let text) = peek(1).kind {
            advance()
            advance()
            return .number("-" + text, token.position)
        }
        return try postfix()
    }

    private mutating func postfix() throws(SchemaImportError) -> TSSyntax.Value {
        var value = try primary()
        while true {
            if current.isPunctuation(".") {
                advance()
                let (name, position) = try identifier("a property name")
                value = .member(value, name, position)
            } else if current.isPunctuation("(") {
                guard case .identifier(let callee, let position) = value else {
                    throw error(
                        .unsupported, "method calls are not supported",
                        supported: "ChangedAny([…]), FieldEquals('field', value), All([…]), Any([…]) in actions")
                }
                advance()
                var arguments: [TSSyntax.Value] = []
                while !skip(")") {
                    arguments.append(try expression())
                    if !current.isPunctuation(")") { try expect(",") }
                }
                value = .call(callee, arguments, position)
            } else if current.isPunctuation("?.") {
                throw error(.unsupported, "optional chaining is not supported", supported: Supported.expressions)
            } else if current.isPunctuation("[") {
                throw error(.unsupported, "index access is not supported", supported: Supported.expressions)
            } else {
                return value
            }
        }
    }

    private mutating func primary() throws(SchemaImportError) -> TSSyntax.Value {
        let token = current
        switch token.kind {
        case .string(let value):
            advance()
            return .string(value, token.position)
        case .number(let text):
            advance()
            return .number(text, token.position)
        case .identifier(let name):
            if peek(1).isPunctuation("=>") {
                advance()
                advance()
                return .arrow(.single(name, token.position), try arrowBody(), token.position)
            }
            switch name {
            case "true", "false":
                advance()
                return .bool(name == "true", token.position)
            case "null", "undefined":
                advance()
                return .null(token.position)
            case "function", "new", "typeof", "void", "await", "async", "this", "class", "delete":
                throw error(.unsupported, "'\(name)' is not supported", supported: Supported.expressions)
            default:
                advance()
                return .identifier(name, token.position)
            }
        case .punctuation("("):
            if isArrowAhead() { return try arrow() }
            advance()
            let inner = try expression()
            try expect(")", supported: Supported.expressions)
            return inner
        case .punctuation("["):
            advance()
            var elements: [TSSyntax.Value] = []
            while !skip("]") {
                if current.isPunctuation("...") {
                    throw error(.unsupported, "spread is not supported", supported: Supported.expressions)
                }
                elements.append(try expression())
                if !current.isPunctuation("]") { try expect(",") }
            }
            return .array(elements, token.position)
        case .punctuation("{"):
            advance()
            var members: [(key: String, position: TSPosition, value: TSSyntax.Value)] = []
            while !skip("}") {
                if current.isPunctuation("...") {
                    throw error(.unsupported, "spread is not supported", supported: "key: value members")
                }
                let key: String
                let position = current.position
                switch current.kind {
                case .identifier(let name): key = name
                case .string(let name): key = name
                default: throw unexpected("a key or '}'")
                }
                advance()
                if current.isPunctuation("(") {
                    throw error(.unsupported, "method shorthand is not supported; write key: (…) => …")
                }
                try expect(":")
                members.append((key, position, try expression()))
                if !current.isPunctuation("}") { try expect(",") }
            }
            return .object(members, token.position)
        case .template:
            throw error(.unsupported, "template strings are not supported", supported: "'…' and \"…\" strings")
        case .punctuation("..."):
            throw error(.unsupported, "spread is not supported", supported: Supported.expressions)
        default:
            throw unexpected("an expression", supported: Supported.expressions)
        }
    }

    /// Whether the `(` at the current token opens an arrow function's parameters: `( … ) =>`.
    private func isArrowAhead() -> Bool {
        var depth = 0
        var offset = 0
        while true {
            let token = peek(offset)
            if case .end = token.kind { return false }
            if token.isPunctuation("(") || token.isPunctuation("{") || token.isPunctuation("[") { depth += 1 }
            if token.isPunctuation(")") || token.isPunctuation("}") || token.isPunctuation("]") {
                depth -= 1
                if depth == 0 { return peek(offset + 1).isPunctuation("=>") }
            }
            offset += 1
        }
    }

    private mutating func arrow() throws(SchemaImportError) -> TSSyntax.Value {
        let position = current.position
        try expect("(")
        let parameters: TSSyntax.Parameters
        if skip(")") {
            parameters = .none
        } else if current.isPunctuation("{") {
            advance()
            var names: [(name: String, position: TSPosition)] = []
            while !skip("}") {
                let (name, namePosition) = try identifier("a parameter name", supported: Supported.parameters)
                if current.isPunctuation(":") || current.isPunctuation("=") {
                    throw error(
                        .unsupported, "renaming or defaulting a parameter is not supported",
                        supported: Supported.parameters)
                }
                names.append((name, namePosition))
                if !current.isPunctuation("}") { try expect(",", supported: Supported.parameters) }
            }
            if skip(":") { _ = try type() }
            try expect(")", supported: Supported.parameters)
            parameters = .destructured(names)
        } else {
            let (name, namePosition) = try identifier("a parameter", supported: Supported.parameters)
            if skip(":") { _ = try type() }
            if current.isPunctuation(",") {
                throw error(.unsupported, "rules take one parameter", supported: Supported.parameters)
            }
            try expect(")", supported: Supported.parameters)
            parameters = .single(name, namePosition)
        }
        if current.isPunctuation(":") {
            throw error(.unsupported, "a return type annotation is not supported", supported: Supported.expressions)
        }
        try expect("=>")
        return .arrow(parameters, try arrowBody(), position)
    }

    private mutating func arrowBody() throws(SchemaImportError) -> TSSyntax.Value {
        guard current.isPunctuation("{") else { return try expression() }
        advance()
        guard current.isIdentifier("return") else {
            throw error(
                .unsupported, "a block body holds exactly one return statement",
                supported: "=> expr or => { return expr }")
        }
        advance()
        let value = try expression()
        _ = skip(";")
        guard skip("}") else {
            throw error(
                .unsupported, "a block body holds exactly one return statement",
                supported: "=> expr or => { return expr }")
        }
        return value
    }
}
