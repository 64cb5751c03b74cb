/// Declares an enum: `Enum("Stage", "Lead", "Won", "Lost")`.
public struct Enum: SchemaComponent {
    /// The enum it declares.
    public var enumType: EnumType

    /// Declares an enum with its values in order.
    public init(_ name: String, _ values: String..., description: String? = nil) {
        enumType = EnumType(name, values, description: description)
    }

    /// Wraps an enum built without the DSL.
    public init(_ enumType: EnumType) { self.enumType = enumType }

    /// Appends the enum.
    public func apply(to schema: inout Schema) { schema.enums.append(enumType) }
}
