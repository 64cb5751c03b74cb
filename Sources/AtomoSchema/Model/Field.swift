/// One field of an entity or a block type.
///
/// ```swift
/// Field("email", .email, required: false, unique: true, pii: .personal)
/// Field("amount", .float, validations: [.range(min: 0, max: nil)])
/// ```
///
/// Every record also has system fields that are not declared: `id`, `version`, `createdAt`,
/// `updatedAt`, `createdBy`, `updatedBy` (see ``Entity/systemFieldNames``).
public struct Field: Sendable, Hashable, Codable {
    /// The field's name: an identifier (`^[A-Za-z_][A-Za-z0-9_]*$`), unique within its entity.
    public var name: String
    /// The type of the field's value.
    public var type: FieldType
    /// Whether a record must have a non-null value. Lists and blocks default to empty instead.
    public var isRequired: Bool
    /// Whether no two live records may hold the same non-null value.
    public var isUnique: Bool
    /// Whether the read model keeps an index on the field, so that filters on it and pages ordered
    /// by it are served by the index instead of a scan and a sort. Unique fields, references and
    /// enums always have one; only scalar fields can be indexed.
    public var isIndexed: Bool
    /// The value a create takes when the input does not name the field.
    public var defaultValue: JSONValue?
    /// Checks every value must pass, beyond its type.
    public var validations: [FieldValidation]
    /// How sensitive the value is, for exports, logs and erasure.
    public var pii: PIIClassification
    /// Names the field had in earlier schema versions, newest first; a rename keeps the data.
    public var formerNames: [String]
    /// Documentation shown in the GraphQL schema and generated code.
    public var description: String?

    /// Creates a field.
    public init(
        _ name: String, _ type: FieldType, required: Bool = false, unique: Bool = false, indexed: Bool = false,
        default defaultValue: JSONValue? = nil, validations: [FieldValidation] = [],
        pii: PIIClassification = .none, formerNames: [String] = [], description: String? = nil
    ) {
        self.name = name
        self.type = type
        self.isRequired = required
        self.isUnique = unique
        self.isIndexed = indexed
        self.defaultValue = defaultValue
        self.validations = validations
        self.pii = pii
        self.formerNames = formerNames
        self.description = description
    }

    private enum CodingKeys: String, CodingKey {
        case name, type, isRequired = "required", isUnique = "unique", isIndexed = "indexed", defaultValue = "default",
            validations, pii, formerNames, description
    }

    /// Decodes the canonical form; `required`, `unique`, `indexed`, `validations`, `pii` and `formerNames`
    /// are optional.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        type = try container.decode(FieldType.self, forKey: .type)
        isRequired = try container.decodeIfPresent(Bool.self, forKey: .isRequired) ?? false
        isUnique = try container.decodeIfPresent(Bool.self, forKey: .isUnique) ?? false
        isIndexed = try container.decodeIfPresent(Bool.self, forKey: .isIndexed) ?? false
        defaultValue = try container.decodeIfPresent(JSONValue.self, forKey: .defaultValue)
        validations = try container.decodeIfPresent([FieldValidation].self, forKey: .validations) ?? []
        pii = try container.decodeIfPresent(PIIClassification.self, forKey: .pii) ?? .none
        formerNames = try container.decodeIfPresent([String].self, forKey: .formerNames) ?? []
        description = try container.decodeIfPresent(String.self, forKey: .description)
    }

    /// Encodes the canonical form, leaving out members that hold their defaults.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(type, forKey: .type)
        if isRequired { try container.encode(true, forKey: .isRequired) }
        if isUnique { try container.encode(true, forKey: .isUnique) }
        if isIndexed { try container.encode(true, forKey: .isIndexed) }
        try container.encodeIfPresent(defaultValue, forKey: .defaultValue)
        if !validations.isEmpty { try container.encode(validations, forKey: .validations) }
        if pii != .none { try container.encode(pii, forKey: .pii) }
        if !formerNames.isEmpty { try container.encode(formerNames, forKey: .formerNames) }
        try container.encodeIfPresent(description, forKey: .description)
    }
}

/// A check on a field's value beyond its type.
///
/// Canonical JSON: `{"length": {"min": 1, "max": 200}}`, `{"range": {"min": 0}}`,
/// `{"pattern": "^[A-Z]{2}$"}`, `{"oneOf": ["a", "b"]}`.
public enum FieldValidation: Sendable, Hashable, Codable {
    /// The length of a string (in characters) or of a list lies within the bounds.
    case length(min: Int?, max: Int?)
    /// A number lies within the bounds (inclusive).
    case range(min: Double?, max: Double?)
    /// A string matches the regular expression (whole-string match).
    case pattern(String)
    /// The value is one of these strings.
    case oneOf([String])

    private enum Key: String, CodingKey { case length, range, pattern, oneOf }
    private enum BoundKey: String, CodingKey { case min, max }

    /// Decodes the canonical one-key object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "a validation has exactly one key: length, range, pattern or oneOf"))
        }
        switch key {
        case .length:
            let bounds = try container.nestedContainer(keyedBy: BoundKey.self, forKey: key)
            self = .length(
                min: try bounds.decodeIfPresent(Int.self, forKey: .min),
                max: try bounds.decodeIfPresent(Int.self, forKey: .max))
        case .range:
            let bounds = try container.nestedContainer(keyedBy: BoundKey.self, forKey: key)
            self = .range(
                min: try bounds.decodeIfPresent(Double.self, forKey: .min),
                max: try bounds.decodeIfPresent(Double.self, forKey: .max))
        case .pattern: self = .pattern(try container.decode(String.self, forKey: key))
        case .oneOf: self = .oneOf(try container.decode([String].self, forKey: key))
        }
    }

    /// Encodes the canonical one-key object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .length(let min, let max):
            var bounds = container.nestedContainer(keyedBy: BoundKey.self, forKey: .length)
            try bounds.encodeIfPresent(min, forKey: .min)
            try bounds.encodeIfPresent(max, forKey: .max)
        case .range(let min, let max):
            var bounds = container.nestedContainer(keyedBy: BoundKey.self, forKey: .range)
            try bounds.encodeIfPresent(min, forKey: .min)
            try bounds.encodeIfPresent(max, forKey: .max)
        case .pattern(let pattern): try container.encode(pattern, forKey: .pattern)
        case .oneOf(let values): try container.encode(values, forKey: .oneOf)
        }
    }
}

/// How sensitive a field's value is.
public enum PIIClassification: String, Sendable, Hashable, Codable, CaseIterable {
    /// Not personal data.
    case none
    /// Identifies a person (name, email, phone): exported on request, erased on request.
    case personal
    /// Special-category or secret data (health, finances): as `personal`, and never logged.
    case sensitive
}
