/// A request that cannot be executed at all: rejected before execution, with a code and a message
/// fit for clients (it never contains SQL, paths of the server or stack traces).
public struct GraphQLRequestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The code for `extensions.code`.
    public var code: GraphQLErrorCode
    /// What is wrong.
    public var message: String
    /// Where in the document, when known: line and column, both from 1.
    public var location: SourcePosition?

    /// Creates an error.
    public init(_ code: GraphQLErrorCode, _ message: String, location: SourcePosition? = nil) {
        self.code = code
        self.message = message
        self.location = location
    }

    /// `CODE: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}

/// A line and column in a document, both counted from 1.
public struct SourcePosition: Sendable, Hashable {
    /// The line.
    public var line: Int
    /// The column.
    public var column: Int

    /// Creates a position.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}
