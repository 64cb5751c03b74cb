/// A part of a schema declared with the DSL: ``Roles``, ``Enum``, ``Blocks`` or ``EntityDef``.
///
/// A host can write its own components (a reusable set of entities, say) by conforming to it.
public protocol SchemaComponent {
    /// Adds this part to `schema`.
    func apply(to schema: inout Schema)
}

extension Schema {
    /// Declares a schema with the DSL.
    ///
    /// ```swift
    /// let schema = Schema {
    ///     Roles("Admin", "Manager", "Sales", "Support", "Viewer")
    ///     Enum("Stage", "Lead", "Won", "Lost")
    ///     Blocks("Block") {
    ///         Variant("Paragraph") { TextField("text").required() }
    ///         Variant("CallLog") {
    ///             DateTimeField("at").required()
    ///             StringField("summary").required()
    ///         }
    ///     }
    ///     EntityDef("Company") { StringField("name").required() }
    ///     EntityDef("Contact") {
    ///         StringField("name").required().length(1...200)
    ///         EmailField("email").unique().pii(.personal)
    ///         Reference("company", to: "Company")
    ///         BlockList("notes", of: "Block")
    ///     } access: {
    ///         Read { .when($0.role == "Viewer", then: ["id", "name"], else: true) }
    ///         Update { $0.role == "Admin" || $0.role == "Manager" }
    ///     } actions: {
    ///         On(.updated, "reindex", when: .changedAny(["email"]))
    ///     }
    /// }
    /// try schema.validate()
    /// ```
    ///
    /// Without a ``Roles`` component the schema has ``defaultRoles``. The result is not validated:
    /// call ``validate()``.
    public init(@SchemaBuilder _ content: () -> [any SchemaComponent]) {
        var schema = Schema(roles: [], enums: [], blocks: [], entities: [])
        for component in content() { component.apply(to: &schema) }
        if schema.roles.isEmpty { schema.roles = Schema.defaultRoles }
        self = schema
    }
}
