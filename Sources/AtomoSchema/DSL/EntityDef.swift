/// Declares an entity: its fields, and optionally its access rules and lifecycle actions.
///
/// ```swift
/// EntityDef("Deal", plural: "Deals") {
///     StringField("title").required()
///     EnumField("stage", of: "Stage").default("Lead")
///     FloatField("amount").range(min: 0)
///     StringField("owner")
/// } access: {
///     Read { _ in true }
///     Update { $0.role == "Admin" || $0.record.owner == $0.user.id }
///     Delete { $0.role == "Admin" }
/// } actions: {
///     On(.updated, "notifyOwner", when: .changedAny(["stage"]))
///     On(.created, "welcome")
/// }
/// ```
///
/// The name `EntityDef` keeps the model type ``Entity`` free for values built without the DSL.
public struct EntityDef: SchemaComponent {
    /// The entity it declares.
    public var entity: Entity

    /// Declares an entity. An `access` closure that declares no rule leaves ``Entity/access`` nil.
    public init(
        _ name: String, plural: String? = nil, description: String? = nil, @FieldBuilder _ fields: () -> [Field],
        @AccessBuilder access: () -> EntityAccess? = { nil }, @ActionBuilder actions: () -> [ActionBinding] = { [] }
    ) {
        entity = Entity(
            name, pluralName: plural, fields: fields(), access: access(), actions: actions(), description: description)
    }

    /// Wraps an entity built without the DSL.
    public init(_ entity: Entity) { self.entity = entity }

    /// Appends the entity.
    public func apply(to schema: inout Schema) { schema.entities.append(entity) }
}
