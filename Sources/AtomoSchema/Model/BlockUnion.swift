/// A discriminated union of block types, stored as a list in a `blocks` field.
///
/// Each block in a record is a JSON object whose `type` member names its variant:
/// `{"type": "Paragraph", "text": "Met at the fair"}`.
///
/// ```swift
/// BlockUnion("Block", [
///     BlockType("Paragraph", [Field("text", .text, required: true)]),
///     BlockType("CallLog", [Field("at", .datetime, required: true), Field("summary", .string, required: true)]),
/// ])
/// ```
public struct BlockUnion: Sendable, Hashable, Codable {
    /// The union's name: an identifier, unique among the schema's types.
    public var name: String
    /// The variants, in declaration order.
    public var variants: [BlockType]
    /// Documentation.
    public var description: String?

    /// Creates a block union.
    public init(_ name: String, _ variants: [BlockType], description: String? = nil) {
        self.name = name
        self.variants = variants
        self.description = description
    }

    /// The variant named `type`, or nil.
    public func variant(_ type: String) -> BlockType? {
        variants.first { $0.name == type }
    }
}

/// One variant of a ``BlockUnion``: a name (the value of the block's `type`) and its fields.
public struct BlockType: Sendable, Hashable, Codable {
    /// The variant's name: an identifier, unique in its union.
    public var name: String
    /// The block's fields (scalars, enums, lists of scalars, references or json; not nested blocks).
    public var fields: [Field]
    /// Documentation.
    public var description: String?

    /// Creates a block type.
    public init(_ name: String, _ fields: [Field], description: String? = nil) {
        self.name = name
        self.fields = fields
        self.description = description
    }

    /// The field named `name`, or nil.
    public func field(_ name: String) -> Field? {
        fields.first { $0.name == name }
    }
}
