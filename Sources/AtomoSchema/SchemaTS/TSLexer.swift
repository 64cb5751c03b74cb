/// Splits a `schema.ts` into tokens, tracking each token's line and column and attaching each JSDoc
/// comment to the token after it. Whitespace and other comments are skipped.
struct TSLexer {
    private let scalars: [Unicode.Scalar]
    private let file: String
    private var index = 0
    private var line = 1
    private var column = 1

    /// Punctuation, longest first so that `===` wins over `==` and `=`.
    private static let punctuation: [String] = [
        "===", "!==", "...", "**=", "=>", "==", "!=", "&&", "||", "?.", "??", "<=", ">=", "**", "++", "--", "+=", "-=",
        "{", "}", "(", ")", "[", "]", "<", ">", ";", ",", ":", "?", ".", "|", "&", "=", "!", "+", "-", "*", "/", "%",
        "^", "~", "@", "#",
    ].sorted { $0.count > $1.count }

    init(source: String, file: String) {
        scalars = Array(source.unicodeScalars)
        self.file = file
    }

    /// Every token, ending with ``TSToken/Kind/end``.
    mutating func tokenize() throws(SchemaImportError) -> [TSToken] {
        var tokens: [TSToken] = []
        var pendingDoc: TSDocComment?
        while true {
            if let doc = try skipTrivia() { pendingDoc = doc }
            let position = TSPosition(line: line, column: column)
            guard let scalar = peek() else {
                tokens.append(TSToken(kind: .end, position: position, doc: pendingDoc))
                return tokens
            }
            let kind: TSToken.Kind
            if Self.isIdentifierStart(scalar) {
                var name = ""
                while let next = peek(), Self.isIdentifierPart(next) {
                    name.unicodeScalars.append(next)
                    advance()
                }
                kind = .identifier(name)
            } else if Self.isDigit(scalar) || (scalar == "." && peek(1).map(Self.isDigit) == true) {
                kind = .number(try number(at: position))
            } else if scalar == "'" || scalar == "\"" {
                kind = .string(try string(quote: scalar, at: position))
            } else if scalar == "`" {
                kind = .template
                advance()
            } else if let text = Self.punctuation.first(where: matches) {
                for _ in text.unicodeScalars { advance() }
                kind = .punctuation(text)
            } else {
                throw SchemaImportError(
                    .syntax, file: file, line: position.line, column: position.column,
                    message: "unexpected character '\(scalar.escaped(asASCII: false))'")
            }
            tokens.append(TSToken(kind: kind, position: position, doc: pendingDoc))
            pendingDoc = nil
        }
    }

    // MARK: Characters

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func advance() {
        guard index < scalars.count else { return }
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private func matches(_ text: String) -> Bool {
        for (offset, scalar) in text.unicodeScalars.enumerated() where peek(offset) != scalar { return false }
        return true
    }

    private static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || scalar == "$" || scalar.properties.isAlphabetic
    }

    private static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        isIdentifierStart(scalar) || isDigit(scalar)
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    // MARK: Trivia and comments

    /// Skips whitespace and comments; returns the last JSDoc comment skipped, if any.
    private mutating func skipTrivia() throws(SchemaImportError) -> TSDocComment? {
        var doc: TSDocComment?
        while let scalar = peek() {
            if scalar.properties.isWhitespace {
                advance()
            } else if scalar == "/" && peek(1) == "/" {
                while let next = peek(), next != "\n" { advance() }
            } else if scalar == "/" && peek(1) == "*" {
                let start = TSPosition(line: line, column: column)
                let isDoc = peek(2) == "*" && peek(3) != "/"
                advance()
                advance()
                if isDoc { advance() }
                let contentStart = TSPosition(line: line, column: column)
                var text = ""
                while !(peek() == "*" && peek(1) == "/") {
                    guard let next = peek() else {
                        throw SchemaImportError(
                            .syntax, file: file, line: start.line, column: start.column,
                            message: "the comment is not closed with */")
                    }
                    text.unicodeScalars.append(next)
                    advance()
                }
                advance()
                advance()
                doc = isDoc ? Self.parseDoc(text, start: start, contentStart: contentStart) : doc
            } else {
                break
            }
        }
        return doc
    }

    /// Splits a JSDoc comment's text into its description and its `@tag value` pairs.
    ///
    /// A tag ends where whitespace is followed by another `@tag` on the same line, except `@pattern`,
    /// which takes the rest of its line. Lines after a tag that start no tag continue its value.
    static func parseDoc(_ text: String, start: TSPosition, contentStart: TSPosition) -> TSDocComment {
        var descriptionLines: [String] = []
        var tags: [TSDocComment.Tag] = []
        for (lineOffset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineScalars = Array(rawLine.unicodeScalars)
            let baseColumn = lineOffset == 0 ? contentStart.column : 1
            let lineNumber = contentStart.line + lineOffset
            var i = 0
            while i < lineScalars.count, lineScalars[i].properties.isWhitespace { i += 1 }
            if lineOffset > 0, i < lineScalars.count, lineScalars[i] == "*" {
                i += 1
                if i < lineScalars.count, lineScalars[i] == " " { i += 1 }
            }
            var segmentStart = i
            var segments: [(start: Int, end: Int)] = []
            var j = i
            while j < lineScalars.count {
                let startsTag =
                    lineScalars[j] == "@" && j + 1 < lineScalars.count && lineScalars[j + 1].properties.isAlphabetic
                    && (j == i || lineScalars[j - 1].properties.isWhitespace)
                if startsTag && j > segmentStart {
                    segments.append((segmentStart, j))
                    segmentStart = j
                }
                if startsTag && Array(lineScalars[j...]).starts(with: Array("@pattern".unicodeScalars)) {
                    break
                }
                j += 1
            }
            if segmentStart < lineScalars.count { segments.append((segmentStart, lineScalars.count)) }
            for segment in segments {
                let content = String(String.UnicodeScalarView(lineScalars[segment.start..<segment.end]))
                let trimmed = content.trimmingWhitespace
                guard !trimmed.isEmpty else { continue }
                if lineScalars[segment.start] == "@" {
                    var nameEnd = segment.start + 1
                    while nameEnd < segment.end, isIdentifierPart(lineScalars[nameEnd]) { nameEnd += 1 }
                    var valueStart = nameEnd
                    while valueStart < segment.end, lineScalars[valueStart].properties.isWhitespace { valueStart += 1 }
                    let name = String(String.UnicodeScalarView(lineScalars[(segment.start + 1)..<nameEnd]))
                    let value = String(String.UnicodeScalarView(lineScalars[valueStart..<segment.end]))
                        .trimmingWhitespace
                    tags.append(
                        TSDocComment.Tag(
                            name: name, value: value,
                            position: TSPosition(line: lineNumber, column: baseColumn + segment.start),
                            valuePosition: TSPosition(line: lineNumber, column: baseColumn + valueStart)))
                } else if let last = tags.indices.last {
                    tags[last].value = tags[last].value.isEmpty ? trimmed : tags[last].value + " " + trimmed
                } else {
                    descriptionLines.append(trimmed)
                }
            }
            if segments.isEmpty && tags.isEmpty { descriptionLines.append("") }
        }
        while descriptionLines.first == "" { descriptionLines.removeFirst() }
        while descriptionLines.last == "" { descriptionLines.removeLast() }
        let description = descriptionLines.isEmpty ? nil : descriptionLines.joined(separator: "\n")
        return TSDocComment(description: description, tags: tags, position: start)
    }

    // MARK: Literals

    private mutating func number(at position: TSPosition) throws(SchemaImportError) -> String {
        var text = ""
        func take(_ predicate: (Unicode.Scalar) -> Bool) {
            while let next = peek(), predicate(next) {
                text.unicodeScalars.append(next)
                advance()
            }
        }
        take(Self.isDigit)
        if peek() == ".", peek(1).map(Self.isDigit) == true || text.isEmpty {
            text += "."
            advance()
            take(Self.isDigit)
        }
        if peek() == "e" || peek() == "E" {
            text += "e"
            advance()
            if let sign = peek(), sign == "+" || sign == "-" {
                text.unicodeScalars.append(sign)
                advance()
            }
            take(Self.isDigit)
        }
        if let next = peek(), Self.isIdentifierPart(next) {
            throw SchemaImportError(
                .unsupported, file: file, line: position.line, column: position.column,
                message: "this number literal is not supported", supported: "decimal numbers such as 42, 0.5, 1e6")
        }
        return text
    }

    private mutating func string(quote: Unicode.Scalar, at position: TSPosition) throws(SchemaImportError) -> String {
        advance()
        var value = ""
        while true {
            guard let scalar = peek(), scalar != "\n" else {
                throw SchemaImportError(
                    .syntax, file: file, line: position.line, column: position.column,
                    message: "the string is not closed on its line")
            }
            advance()
            if scalar == quote { return value }
            guard scalar == "\\" else {
                value.unicodeScalars.append(scalar)
                continue
            }
            let escapePosition = TSPosition(line: line, column: column - 1)
            guard let escaped = peek() else { continue }
            advance()
            switch escaped {
            case "n": value += "\n"
            case "t": value += "\t"
            case "r": value += "\r"
            case "b": value += "\u{08}"
            case "f": value += "\u{0C}"
            case "v": value += "\u{0B}"
            case "0": value += "\0"
            case "u":
                var hex = ""
                if peek() == "{" {
                    advance()
                    while let next = peek(), next != "}" {
                        hex.unicodeScalars.append(next)
                        advance()
                    }
                    advance()
                } else {
                    for _ in 0..<4 {
                        if let next = peek() {
                            hex.unicodeScalars.append(next)
                            advance()
                        }
                    }
                }
                guard let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) else {
                    throw SchemaImportError(
                        .syntax, file: file, line: escapePosition.line, column: escapePosition.column,
                        message: "'\\u\(hex)' is not a valid Unicode escape")
                }
                value.unicodeScalars.append(decoded)
            default: value.unicodeScalars.append(escaped)
            }
        }
    }
}

extension String {
    /// The string without leading and trailing whitespace.
    var trimmingWhitespace: String {
        let scalars = Array(unicodeScalars)
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
