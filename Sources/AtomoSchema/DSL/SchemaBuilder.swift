/// Collects the components of a ``Schema`` declared with the DSL (see ``Schema/init(_:)``).
///
/// Besides components, a block may hold model values — an ``Entity``, an ``EnumType`` or a
/// ``BlockUnion`` — and `if`, `switch` and `for` work as usual.
@resultBuilder
public enum SchemaBuilder {
    /// A component.
    public static func buildExpression(_ component: any SchemaComponent) -> [any SchemaComponent] { [component] }
    /// An entity built without the DSL.
    public static func buildExpression(_ entity: Entity) -> [any SchemaComponent] { [EntityDef(entity)] }
    /// An enum built without the DSL.
    public static func buildExpression(_ enumType: EnumType) -> [any SchemaComponent] { [Enum(enumType)] }
    /// A block union built without the DSL.
    public static func buildExpression(_ union: BlockUnion) -> [any SchemaComponent] { [Blocks(union)] }
    /// A list of components (from a helper function).
    public static func buildExpression(_ components: [any SchemaComponent]) -> [any SchemaComponent] { components }
    /// The statements of a block, in order.
    public static func buildBlock(_ parts: [any SchemaComponent]...) -> [any SchemaComponent] { parts.flatMap { $0 } }
    /// An `if` without `else`.
    public static func buildOptional(_ part: [any SchemaComponent]?) -> [any SchemaComponent] { part ?? [] }
    /// The first branch of an `if`/`else` or `switch`.
    public static func buildEither(first part: [any SchemaComponent]) -> [any SchemaComponent] { part }
    /// The second branch of an `if`/`else` or `switch`.
    public static func buildEither(second part: [any SchemaComponent]) -> [any SchemaComponent] { part }
    /// A `for` loop.
    public static func buildArray(_ parts: [[any SchemaComponent]]) -> [any SchemaComponent] { parts.flatMap { $0 } }
}
