/// The codes Atomo puts in an error's `extensions.code`. Clients branch on these, never on messages.
public enum GraphQLErrorCode: String, Sendable, Hashable, CaseIterable {
    /// No valid credentials (a missing, expired or revoked token where one is needed).
    case unauthenticated = "UNAUTHENTICATED"
    /// The principal may not do this.
    case forbidden = "FORBIDDEN"
    /// An argument or input is invalid (validation failures list the fields in `extensions.fields`).
    case badUserInput = "BAD_USER_INPUT"
    /// The record changed since the client read it (a stale `expectedVersion`), or a unique value is taken.
    case conflict = "CONFLICT"
    /// There is no such record.
    case notFound = "NOT_FOUND"
    /// The document is not valid GraphQL syntax.
    case parseFailed = "GRAPHQL_PARSE_FAILED"
    /// The document does not validate against the principal's schema.
    case validationFailed = "GRAPHQL_VALIDATION_FAILED"
    /// The request is malformed (not JSON, no query, a mutation over GET, invalid UTF-8, …).
    case badRequest = "BAD_REQUEST"
    /// The request exceeds a limit (size, depth, aliases, fields, complexity).
    case limitExceeded = "LIMIT_EXCEEDED"
    /// Execution took longer than the configured timeout.
    case timeout = "TIMEOUT"
    /// Something failed on the server; the message says nothing more (no SQL, no stack traces).
    case internalServerError = "INTERNAL_SERVER_ERROR"
}
