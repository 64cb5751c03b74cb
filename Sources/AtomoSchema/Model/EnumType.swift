/// A named set of string values, such as `Role` or a deal's `Stage`.
///
/// ```swift
/// EnumType("Stage", ["Lead", "Qualified", "Won", "Lost"])
/// ```
public struct EnumType: Sendable, Hashable, Codable {
    /// The enum's name: an identifier, unique among the schema's types.
    public var name: String
    /// The values, in declaration order.
    public var values: [String]
    /// Documentation.
    public var description: String?

    /// Creates an enum.
    public init(_ name: String, _ values: [String], description: String? = nil) {
        self.name = name
        self.values = values
        self.description = description
    }
}
