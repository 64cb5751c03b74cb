import AtomoSchema
public import GraphQL

/// One audience's GraphQL schema, built from a declared schema: the library's `GraphQLSchema` (used
/// to validate, introspect and run the reference executor) and the plan of every field.
///
/// Build one with ``RoleSchemaBuilder``; a ``GraphQLSchemaRegistry`` caches them per audience.
public struct RoleSchema: Sendable {
    /// What the audience sees of the declared schema.
    public let view: SchemaView
    /// The GraphQL schema.
    public let graphQLSchema: GraphQLSchema
    /// The declared schema's fingerprint (``Schema/fingerprint``), computed once.
    public let fingerprint: String
    /// The kind of every field, by parent type name and field name.
    let fieldKinds: [String: [String: FieldKind]]
    /// The resolvers of the root fields that ``GraphQLSchemaPart``s contributed.
    let contributed: [ContributedField: ContributedResolver]

    init(
        view: SchemaView, graphQLSchema: GraphQLSchema, fingerprint: String, fieldKinds: [String: [String: FieldKind]],
        contributed: [ContributedField: ContributedResolver]
    ) {
        self.view = view
        self.graphQLSchema = graphQLSchema
        self.fingerprint = fingerprint
        self.fieldKinds = fieldKinds
        self.contributed = contributed
    }

    /// Whom the schema is for.
    public var audience: SchemaAudience { view.audience }

    /// What the field `field` of the type named `type` does, or nil for fields the builder did not make.
    public func kind(ofField field: String, onType type: String) -> FieldKind? {
        fieldKinds[type]?[field]
    }
}
