/// A validated SQL identifier (a table, column or index name).
///
/// Identifiers that come from a schema or from a caller are checked against
/// `^[A-Za-z_][A-Za-z0-9_]*$` (at most 63 characters, PostgreSQL's limit) and always written quoted,
/// so a name can never carry SQL into a statement.
///
/// ```swift
/// let table = try SQLIdentifier("atomo_events")
/// let sql = "SELECT count(*) FROM \(table.quoted)"   // SELECT count(*) FROM "atomo_events"
/// ```
public struct SQLIdentifier: Sendable, Hashable, CustomStringConvertible {
    /// The identifier as written, without quotes.
    public let name: String

    /// Validates `name`.
    /// - Throws: ``SQLIdentifierError`` when the name is empty, too long or has a character outside
    ///   `[A-Za-z0-9_]` (or starts with a digit).
    public init(_ name: String) throws(SQLIdentifierError) {
        guard !name.isEmpty else { throw .empty }
        guard name.utf8.count <= 63 else { throw .tooLong(name.utf8.count) }
        for (offset, byte) in name.utf8.enumerated() {
            let isLetter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
            let isDigit = byte >= 0x30 && byte <= 0x39
            guard isLetter || (isDigit && offset > 0) else { throw .invalidCharacter(offset: offset) }
        }
        self.name = name
    }

    /// The identifier in double quotes, ready to be placed in a statement.
    public var quoted: String { "\"\(name)\"" }

    /// The identifier as written.
    public var description: String { name }
}

/// Why a string is not a valid ``SQLIdentifier``. The offending text is deliberately not repeated.
public enum SQLIdentifierError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The name is empty.
    case empty
    /// The name is longer than 63 UTF-8 bytes.
    case tooLong(Int)
    /// The byte at `offset` is not allowed there.
    case invalidCharacter(offset: Int)

    /// A human-readable explanation.
    public var description: String {
        switch self {
        case .empty: "an identifier must not be empty"
        case .tooLong(let length): "an identifier has at most 63 bytes, this one has \(length)"
        case .invalidCharacter(let offset):
            "an identifier must match ^[A-Za-z_][A-Za-z0-9_]*$ (bad character at offset \(offset))"
        }
    }
}
