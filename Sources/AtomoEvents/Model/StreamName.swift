/// The name of a stream: `Category-id`, for example `Contact-0b6c…`.
///
/// The category (before the first `-`) groups streams of one kind; the id (everything after it)
/// names one instance. The category matches `^[A-Za-z_][A-Za-z0-9_]*$`; the id is 1 to 200
/// characters, none of them whitespace or control characters, and may itself contain `-`.
///
/// ```swift
/// let stream = try StreamName("Contact-42")
/// stream.category   // "Contact"
/// stream.id         // "42"
/// let same = try StreamName(category: "Contact", id: "42")
/// ```
public struct StreamName: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The full name, `Category-id`.
    public let rawValue: String
    private let separator: String.Index

    /// The longest accepted name, in UTF-8 bytes.
    public static let maximumLength = 256

    /// Parses and validates `rawValue`.
    /// - Throws: ``EventStoreError/invalidStreamName(_:reason:)``.
    public init(_ rawValue: String) throws(EventStoreError) {
        guard let separator = rawValue.firstIndex(of: "-") else {
            throw .invalidStreamName(rawValue, reason: "a stream name is `Category-id`, with a `-` after the category")
        }
        try Self.validate(category: rawValue[..<separator], id: rawValue[rawValue.index(after: separator)...], name: rawValue)
        self.rawValue = rawValue
        self.separator = separator
    }

    /// Builds `category-id` from its parts and validates it.
    public init(category: String, id: String) throws(EventStoreError) {
        try self.init("\(category)-\(id)")
    }

    /// The category, the part before the first `-`.
    public var category: Substring { rawValue[..<separator] }

    /// The id, the part after the first `-`.
    public var id: Substring { rawValue[rawValue.index(after: separator)...] }

    /// The full name.
    public var description: String { rawValue }

    /// Orders by the full name.
    public static func < (lhs: StreamName, rhs: StreamName) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Names are equal when their text is.
    public static func == (lhs: StreamName, rhs: StreamName) -> Bool { lhs.rawValue == rhs.rawValue }

    /// Hashes the full name.
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    /// Decodes a name from a string and validates it.
    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the full name as a string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Whether `category` is a valid category on its own (as used in category filters).
    public static func isValidCategory(_ category: some StringProtocol) -> Bool {
        guard let first = category.utf8.first, !(first >= 0x30 && first <= 0x39) else { return false }
        return category.utf8.allSatisfy { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x5F
        }
    }

    private static func validate(category: Substring, id: Substring, name: String) throws(EventStoreError) {
        guard name.utf8.count <= maximumLength else {
            throw .invalidStreamName(String(name.prefix(64)) + "…", reason: "a stream name has at most \(maximumLength) bytes")
        }
        guard isValidCategory(category) else {
            throw .invalidStreamName(name, reason: "the category must match ^[A-Za-z_][A-Za-z0-9_]*$")
        }
        guard !id.isEmpty else { throw .invalidStreamName(name, reason: "the id after `-` must not be empty") }
        // Printable ASCII (nearly every id) needs no Unicode property lookups.
        if id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return }
        for scalar in id.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0) {
                throw .invalidStreamName(name, reason: "the id must not contain whitespace or control characters")
            }
        }
    }
}
