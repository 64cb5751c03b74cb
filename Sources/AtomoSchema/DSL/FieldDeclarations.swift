// The field declarations of the DSL: one small type per field type, each a ``FieldDeclaration``.

/// A short string field (a name, a title). `StringField("name")`
public struct StringField: FieldDeclaration {
    /// The field as declared so far.
    public var field: Field
    /// Declares an optional `string` field.
    public init(_ name: String) { field = Field(name, .string) }
}

/// A long string field (a body, a description). `TextField("name")`
public struct TextField: FieldDeclaration {
    /// The field as declared so far.
    public var field: Field
    /// Declares an optional `text` field.
    public init(_ name: String) { field = Field(name, .text) }
}

/// A 64-bit integer field. `IntField("name")`
public struct IntField: FieldDeclaration {
    /// The field as declared so far.
    public var field: Field
    /// Declares an optional `int` field.
    public init(_ name: String) { field = Field(name, .int) }
}

/// A double-precision number field. `FloatField("name")`
public struct FloatField: FieldDeclaration {
    /// The field as declared so far.
    public var field: Field
    /// Declares an optional `float` field.
    public init(_ name: String) { field = Field(name, .float) }
}

/// A boolean field. `BoolField("name")`
public struct BoolField: FieldDeclaration {
    /// The field as declared so far.
    public var field: Field
    /// Declares an optional `bool` field.
    public init(_ name: String) { field = Field(name, .bool) }
}

/// A calendar date field, `YYYY-MM-DD`. `DateField("name")`
public struct DateField: FieldDeclaration {
    /// The field as declared so far.
    public var field: Field
    /// Declares an optional `date` field.
    public init(_ name: String) { field = Field(name, .date) }
}

/// An instant field, ISO 8601 with a time zone. `DateTimeField("name")`
public struct DateTimeField: FieldDeclaration {
    /// The field as declared so far.
    public var field: Field
    /// Declares an optional `datetime` field.
    public init(_ name: String) { field = Field(name, .datetime) }
}

/// A field holding any JSON value. `JSONField("name")`
public struct JSONField: FieldDeclaration {
    /// The field as declared so far.
    public var field: Field
    /// Declares an optional `json` field.
    public init(_ name: String) { field = Field(name, .json) }
}

/// A string field that holds an email address. `EmailField("name")`
public struct EmailField: FieldDeclaration {
    /// The field as declared so far.
    public var field: Field
    /// Declares an optional `email` field.
    public init(_ name: String) { field = Field(name, .email) }
}

/// A string field that holds an absolute `http` or `https` URL. `URLField("name")`
public struct URLField: FieldDeclaration {
    /// The field as declared so far.
    public var field: Field
    /// Declares an optional `url` field.
    public init(_ name: String) { field = Field(name, .url) }
}

/// A field holding one value of a declared enum: `EnumField("stage", of: "Stage")`.
public struct EnumField: FieldDeclaration {
    /// The field as declared so far.
    public var field: Field
    /// Declares an optional field of the enum named `enumName`.
    public init(_ name: String, of enumName: String) { field = Field(name, .enumeration(enumName)) }
}

/// A reference to a record of another entity: `Reference("company", to: "Company")`.
public struct Reference: FieldDeclaration {
    /// The field as declared so far.
    public var field: Field
    /// Declares an optional reference to the entity named `entity`.
    public init(_ name: String, to entity: String) { field = Field(name, .reference(entity)) }
}

/// A list of scalars or enum values: `ListField("tags", of: .string)`, `ListField("stages", of: .enumeration("Stage"))`.
public struct ListField: FieldDeclaration {
    /// The field as declared so far.
    public var field: Field
    /// Declares a list (empty when not given) of `element` values.
    public init(_ name: String, of element: FieldType) { field = Field(name, .list(element)) }
}

/// A list of blocks of a declared union: `BlockList("notes", of: "Block")`.
public struct BlockList: FieldDeclaration {
    /// The field as declared so far.
    public var field: Field
    /// Declares a list (empty when not given) of blocks of the union named `union`.
    public init(_ name: String, of union: String) { field = Field(name, .blocks(union)) }
}
