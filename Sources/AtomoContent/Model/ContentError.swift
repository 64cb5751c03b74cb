/// Every way a content command or query can fail. Each case is stable and carries the values
/// involved; no message ever contains SQL or a value from a filter.
///
/// ```swift
/// do { try await engine.create("Contact", ["email": "nope"], as: principal) }
/// catch .validationFailed(let errors) { errors.map(\.field) }   // ["email", "name"]
/// ```
public enum ContentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The input failed validation; every failing field is listed.
    case validationFailed([FieldError])
    /// There is no such record (or it is deleted, where that matters).
    case notFound(entity: String, id: String)
    /// The record's version is not the expected one; nothing was written.
    case conflict(entity: String, id: String, expected: Int64, actual: Int64)
    /// The access policy denied the operation.
    case forbidden(String)
    /// Another live record holds the same value of a unique field; nothing was written.
    case uniqueViolation(entity: String, field: String)
    /// The schema has no such entity.
    case unknownEntity(String)
    /// The entity has no such field (or it cannot be used where it was named).
    case unknownField(entity: String, field: String)
    /// A filter, ordering or page is malformed; the message names the field, never SQL.
    case invalidFilter(String)
    /// A cursor is not one this engine issued for this ordering.
    case invalidCursor
    /// A reference field names a record that does not exist or is deleted.
    case referenceNotFound(field: String, id: String)
    /// A record with this id already exists.
    case alreadyExists(entity: String, id: String)
    /// A client-supplied id is not acceptable (empty, too long, whitespace or control characters).
    case invalidID(String)
    /// The schema cannot be served (for example a field name that collides with a read-model column).
    case invalidSchema(String)
    /// The engine is not started, or was stopped.
    case notRunning
    /// The event store or the read-model database failed; the message has no SQL.
    case storageFailure(String)

    /// A human-readable explanation.
    public var description: String {
        switch self {
        case .validationFailed(let errors):
            "validation failed: " + errors.map(\.description).joined(separator: "; ")
        case .notFound(let entity, let id): "\(entity) \(id) was not found"
        case .conflict(let entity, let id, let expected, let actual):
            "\(entity) \(id) is at version \(actual), not the expected \(expected)"
        case .forbidden(let reason): "forbidden: \(reason)"
        case .uniqueViolation(let entity, let field): "another \(entity) already has this \(field)"
        case .unknownEntity(let name): "there is no entity named \(ContentError.quoted(name))"
        case .unknownField(let entity, let field): "\(entity) has no field named \(ContentError.quoted(field))"
        case .invalidFilter(let message): "invalid query: \(message)"
        case .invalidCursor: "the cursor is not valid for this query"
        case .referenceNotFound(let field, let id): "\(field) refers to \(ContentError.quoted(id)), which does not exist"
        case .alreadyExists(let entity, let id): "\(entity) \(id) already exists"
        case .invalidID(let reason): "invalid id: \(reason)"
        case .invalidSchema(let reason): "the schema cannot be served: \(reason)"
        case .notRunning: "the content engine is not running; call start()"
        case .storageFailure(let message): "storage failure: \(message)"
        }
    }

    /// A name from outside, shortened and with control characters removed, for messages.
    static func quoted(_ text: String) -> String {
        let cleaned = String(String.UnicodeScalarView(text.unicodeScalars.prefix(64).filter { $0.value >= 0x20 && $0.value != 0x7F }))
        return "'\(cleaned)\(text.unicodeScalars.count > 64 ? "…" : "")'"
    }
}

/// One failing field of a ``ContentError/validationFailed(_:)``.
public struct FieldError: Sendable, Hashable, CustomStringConvertible {
    /// The field's name; for values inside lists and blocks, a path such as `notes[2].text`.
    public var field: String
    /// The rule that failed: `required`, `type`, `unknown`, `length`, `range`, `pattern`, `oneOf`,
    /// `enum`, `format`, `blockType`, `readOnly`.
    public var rule: String
    /// What is wrong, for people.
    public var message: String

    /// Creates a field error.
    public init(field: String, rule: String, message: String) {
        self.field = field
        self.rule = rule
        self.message = message
    }

    /// `field: message`.
    public var description: String { "\(field): \(message)" }
}
