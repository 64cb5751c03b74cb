public import AtomoContent
public import AtomoSchema

/// An error while resolving one field: a code, a message fit for clients and extra members for
/// `extensions` (the failing fields of a validation error, the versions of a conflict).
public struct GraphQLFieldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The code for `extensions.code`.
    public var code: GraphQLErrorCode
    /// What went wrong.
    public var message: String
    /// More members for `extensions`, beside `code`.
    public var extensions: [String: JSONValue]

    /// Creates an error.
    public init(_ code: GraphQLErrorCode, _ message: String, extensions: [String: JSONValue] = [:]) {
        self.code = code
        self.message = message
        self.extensions = extensions
    }

    /// `CODE: message`.
    public var description: String { "\(code.rawValue): \(message)" }

    /// The GraphQL form of a content error: validation → `BAD_USER_INPUT` with `fields`, a stale
    /// expected version → `CONFLICT` with `expectedVersion` and `actualVersion`, and so on. Storage
    /// failures become `INTERNAL_SERVER_ERROR` with no detail (their text never leaves the server; the
    /// ``GraphQLIncidentReporter`` of the request, if any, receives it and names the request).
    public init(_ error: ContentError) {
        switch error {
        case .validationFailed(let errors):
            self.init(
                .badUserInput, error.description,
                extensions: [
                    "fields": .array(
                        errors.map {
                            .object([
                                "field": .string($0.field), "rule": .string($0.rule), "message": .string($0.message),
                            ])
                        })
                ])
        case .conflict(_, _, let expected, let actual):
            self.init(
                .conflict, error.description,
                extensions: ["expectedVersion": .int(expected), "actualVersion": .int(actual)])
        case .uniqueViolation(_, let field):
            self.init(.conflict, error.description, extensions: ["field": .string(field)])
        case .alreadyExists:
            self.init(.conflict, error.description)
        case .notFound:
            self.init(.notFound, error.description)
        case .forbidden:
            self.init(.forbidden, error.description)
        case .referenceNotFound(let field, _):
            self.init(.badUserInput, error.description, extensions: ["field": .string(field)])
        case .unknownField, .invalidFilter, .invalidCursor, .invalidID, .unknownEntity:
            self.init(.badUserInput, error.description)
        case .invalidSchema, .notRunning, .storageFailure:
            self.init(
                .internalServerError, "internal server error",
                extensions: GraphQLIncidentReporter.extensions(reporting: error))
        }
    }

    /// Any error as a field error: field and content errors keep their meaning, anything else is
    /// an internal error whose text is not shown.
    static func from(_ error: any Error) -> GraphQLFieldError {
        if let error = error as? GraphQLFieldError { return error }
        if let error = error as? ContentError { return GraphQLFieldError(error) }
        if error is CancellationError { return GraphQLFieldError(.timeout, "the operation was cancelled or timed out") }
        return GraphQLFieldError(
            .internalServerError, "internal server error", extensions: GraphQLIncidentReporter.extensions(reporting: error))
    }
}
