/// Why a `schema.ts` could not be imported, and where: `schema.ts:12:5: error: … (supported: …)`.
///
/// The position is that of the offending token (1-based line and column, columns counting Unicode
/// scalars). ``supported`` says what the subset allows at that point, so the message doubles as
/// documentation; `docs/guide/schema-ts.md` has the whole subset.
public struct SchemaImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a stable case.
    public var kind: Kind
    /// The file name given to the importer.
    public var file: String
    /// The 1-based line.
    public var line: Int
    /// The 1-based column.
    public var column: Int
    /// What is wrong.
    public var message: String
    /// What the subset supports at this point, if the problem is something outside it.
    public var supported: String?
    /// Further problems found together with this one (the schema's consistency checks report them all).
    public var additional: [SchemaImportError]

    /// Creates an error.
    public init(
        _ kind: Kind, file: String, line: Int, column: Int, message: String, supported: String? = nil,
        additional: [SchemaImportError] = []
    ) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.supported = supported
        self.additional = additional
    }

    /// `file:line:column: error: message (supported: …)`, one line per problem.
    public var description: String {
        var text = "\(file):\(line):\(column): error: \(message)"
        if let supported { text += " (supported: \(supported))" }
        for other in additional { text += "\n" + other.description }
        return text
    }

    /// The kinds of import failure.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Not TypeScript the lexer or parser understands (an unterminated string, a missing `}`).
        case syntax
        /// Valid TypeScript outside the documented subset (classes, imports, `==`, template strings, …).
        case unsupported
        /// A name that is not declared: a type, an entity in `access` or `actions`, a variable in a rule.
        case unknownName
        /// A JSDoc tag that is unknown, malformed, or does not fit its field.
        case invalidTag
        /// The declarations parse but the schema is inconsistent (see ``Schema/validate()``).
        case invalidSchema
    }
}
