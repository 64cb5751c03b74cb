/// The type of a field's value.
///
/// Scalars are stored as themselves; `email` and `url` are strings with a checked format; `date` is a
/// calendar day (`2026-11-29`) and `datetime` an instant (ISO 8601 with a zone); `json` is any JSON
/// value. Lists hold scalars (or enum values); blocks hold a list of a ``BlockUnion``'s variants.
///
/// Canonical JSON spells scalars as a string (`"string"`, `"int"`, …) and the others as a one-key
/// object: `{"enum": "Stage"}`, `{"reference": "Company"}`, `{"list": "string"}`, `{"blocks": "Block"}`.
public indirect enum FieldType: Sendable, Hashable {
    /// A short string (a name, a title).
    case string
    /// A long string (a body, a description).
    case text
    /// A 64-bit integer.
    case int
    /// A double-precision number.
    case float
    /// A boolean.
    case bool
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// An instant, ISO 8601 with a time zone.
    case datetime
    /// Any JSON value.
    case json
    /// A string that is an email address.
    case email
    /// A string that is an absolute `http` or `https` URL.
    case url
    /// One of the values of the named ``EnumType``.
    case enumeration(String)
    /// The id of a record of the named entity.
    case reference(String)
    /// A list of values of a scalar or enum type.
    case list(FieldType)
    /// A list of blocks of the named ``BlockUnion``.
    case blocks(String)

    /// The scalar types, by their canonical names.
    public static let scalarsByName: [String: FieldType] = [
        "string": .string, "text": .text, "int": .int, "float": .float, "bool": .bool, "date": .date,
        "datetime": .datetime, "json": .json, "email": .email, "url": .url,
    ]

    /// The canonical name of a scalar type, or nil for enum, reference, list and blocks.
    public var scalarName: String? {
        switch self {
        case .string: "string"
        case .text: "text"
        case .int: "int"
        case .float: "float"
        case .bool: "bool"
        case .date: "date"
        case .datetime: "datetime"
        case .json: "json"
        case .email: "email"
        case .url: "url"
        case .enumeration, .reference, .list, .blocks: nil
        }
    }

    /// Whether values of this type are strings in JSON (string, text, date, datetime, email, url, enum).
    public var isStringLike: Bool {
        switch self {
        case .string, .text, .date, .datetime, .email, .url, .enumeration: true
        default: false
        }
    }

    /// Whether this type is a single scalar or enum value (what can be filtered, ordered and unique).
    public var isScalar: Bool {
        switch self {
        case .list, .blocks, .json: false
        default: true
        }
    }

    /// A short description for messages and docs: `string`, `enum Stage`, `reference Company`, `list of string`.
    public var displayName: String {
        switch self {
        case .enumeration(let name): "enum \(name)"
        case .reference(let name): "reference \(name)"
        case .list(let element): "list of \(element.displayName)"
        case .blocks(let name): "blocks \(name)"
        default: scalarName ?? "?"
        }
    }
}

extension FieldType: Codable {
    private enum Key: String, CodingKey {
        case enumeration = "enum", reference, list, blocks
    }

    /// Decodes the canonical form: a scalar's name, or a one-key object.
    public init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            guard let scalar = FieldType.scalarsByName[name] else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath,
                        debugDescription: "unknown field type '\(name)'; expected one of "
                            + FieldType.scalarsByName.keys.sorted().joined(separator: ", ")
                            + ", or {\"enum\"|\"reference\"|\"list\"|\"blocks\": …}"))
            }
            self = scalar
            return
        }
        let container = try decoder.container(keyedBy: Key.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "a field type object has exactly one key: enum, reference, list or blocks"))
        }
        switch key {
        case .enumeration: self = .enumeration(try container.decode(String.self, forKey: key))
        case .reference: self = .reference(try container.decode(String.self, forKey: key))
        case .list: self = .list(try container.decode(FieldType.self, forKey: key))
        case .blocks: self = .blocks(try container.decode(String.self, forKey: key))
        }
    }

    /// Encodes the canonical form.
    public func encode(to encoder: any Encoder) throws {
        if let name = scalarName {
            var container = encoder.singleValueContainer()
            try container.encode(name)
            return
        }
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .enumeration(let name): try container.encode(name, forKey: .enumeration)
        case .reference(let name): try container.encode(name, forKey: .reference)
        case .list(let element): try container.encode(element, forKey: .list)
        case .blocks(let name): try container.encode(name, forKey: .blocks)
        default: break
        }
    }
}
