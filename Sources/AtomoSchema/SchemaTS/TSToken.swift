/// A position in a `schema.ts`: 1-based line and column (in Unicode scalars).
struct TSPosition: Sendable, Hashable {
    var line: Int
    var column: Int
}

/// A JSDoc comment (`/** … */`): its description and its tags, each with its position.
struct TSDocComment: Sendable, Hashable {
    /// One `@tag value` of a comment.
    struct Tag: Sendable, Hashable {
        var name: String
        var value: String
        var position: TSPosition
        var valuePosition: TSPosition
    }

    var description: String?
    var tags: [Tag]
    var position: TSPosition
}

/// One token of a `schema.ts`.
struct TSToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        /// An identifier or a keyword.
        case identifier(String)
        /// A string literal's value (escapes resolved).
        case string(String)
        /// A number literal's source text.
        case number(String)
        /// Punctuation or an operator: `{`, `=>`, `===`, `...`.
        case punctuation(String)
        /// A template string (backquoted): outside the subset, kept so the parser can say so where it is.
        case template
        /// The end of the file.
        case end
    }

    var kind: Kind
    var position: TSPosition
    /// The JSDoc comment right before the token, if any.
    var doc: TSDocComment?

    /// How the token reads in messages: `'{'`, `identifier 'foo'`, `the end of the file`.
    var display: String {
        switch kind {
        case .identifier(let name): "'\(name)'"
        case .string(let value): "string '\(value)'"
        case .number(let text): "number \(text)"
        case .punctuation(let text): "'\(text)'"
        case .template: "a template string"
        case .end: "the end of the file"
        }
    }

    func isPunctuation(_ text: String) -> Bool {
        if case .punctuation(let own) = kind { own == text } else { false }
    }

    func isIdentifier(_ name: String) -> Bool {
        if case .identifier(let own) = kind { own == name } else { false }
    }

    var identifier: String? {
        if case .identifier(let name) = kind { name } else { nil }
    }
}
