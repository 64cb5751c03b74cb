/// Declares a block union and its variants.
///
/// ```swift
/// Blocks("Block") {
///     Variant("Paragraph") { TextField("text").required() }
///     Variant("CallLog") {
///         DateTimeField("at").required()
///         StringField("summary").required()
///     }
/// }
/// ```
public struct Blocks: SchemaComponent {
    /// The union it declares.
    public var union: BlockUnion

    /// Declares a union with the variants the closure lists.
    public init(_ name: String, description: String? = nil, @VariantBuilder _ variants: () -> [BlockType]) {
        union = BlockUnion(name, variants(), description: description)
    }

    /// Wraps a union built without the DSL.
    public init(_ union: BlockUnion) { self.union = union }

    /// Appends the union.
    public func apply(to schema: inout Schema) { schema.blocks.append(union) }
}

/// Declares one variant of a ``Blocks`` union: its name (the block's `type`) and its fields.
public struct Variant {
    /// The variant it declares.
    public var blockType: BlockType

    /// Declares a variant with the fields the closure lists.
    public init(_ name: String, description: String? = nil, @FieldBuilder _ fields: () -> [Field]) {
        blockType = BlockType(name, fields(), description: description)
    }
}

/// Collects the ``Variant``s of a ``Blocks`` union.
@resultBuilder
public enum VariantBuilder {
    /// A variant.
    public static func buildExpression(_ variant: Variant) -> [BlockType] { [variant.blockType] }
    /// A block type built without the DSL.
    public static func buildExpression(_ blockType: BlockType) -> [BlockType] { [blockType] }
    /// The statements of a block, in order.
    public static func buildBlock(_ parts: [BlockType]...) -> [BlockType] { parts.flatMap { $0 } }
    /// An `if` without `else`.
    public static func buildOptional(_ part: [BlockType]?) -> [BlockType] { part ?? [] }
    /// The first branch of an `if`/`else` or `switch`.
    public static func buildEither(first part: [BlockType]) -> [BlockType] { part }
    /// The second branch of an `if`/`else` or `switch`.
    public static func buildEither(second part: [BlockType]) -> [BlockType] { part }
    /// A `for` loop.
    public static func buildArray(_ parts: [[BlockType]]) -> [BlockType] { parts.flatMap { $0 } }
}
