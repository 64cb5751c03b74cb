public import AtomoSchema

/// What one audience sees of one entity: the declared fields it may read, the relations it can
/// follow, and the operations that may ever be allowed to it.
///
/// Built by ``SchemaView``. A read rule that depends only on the role is decided here, so fields the
/// audience can never read are absent from its GraphQL schema; a rule that depends on the record or
/// the user leaves every field present (and nullable), and the content engine drops fields per record.
public struct EntityView: Sendable, Hashable {
    /// The entity.
    public let entity: Entity
    /// Its GraphQL names.
    public let names: EntityNames
    /// The declared fields the audience may read (references only to entities it may read), in
    /// declaration order.
    public let fields: [Field]
    /// Whether the read rule depends on the record or the user, so that fields may be dropped per record.
    public let readDependsOnRecord: Bool
    /// The relations from other entities that point here (`Company.contacts`).
    public let reverseRelations: [ReverseRelation]
    /// Whether the audience may ever create, update, delete (and restore) records.
    public let mayCreate: Bool
    /// See ``mayCreate``.
    public let mayUpdate: Bool
    /// See ``mayCreate``.
    public let mayDelete: Bool

    /// Creates a view.
    public init(
        entity: Entity, fields: [Field], readDependsOnRecord: Bool, reverseRelations: [ReverseRelation],
        mayCreate: Bool, mayUpdate: Bool, mayDelete: Bool
    ) {
        self.entity = entity
        self.names = EntityNames(entity)
        self.fields = fields
        self.readDependsOnRecord = readDependsOnRecord
        self.reverseRelations = reverseRelations
        self.mayCreate = mayCreate
        self.mayUpdate = mayUpdate
        self.mayDelete = mayDelete
    }

    /// The visible declared field named `name`.
    public func field(_ name: String) -> Field? { fields.first { $0.name == name } }

    /// The names of every field the audience may read, system fields included.
    public var readableFieldNames: Set<String> {
        Set(fields.map(\.name)).union(Entity.systemFieldNames)
    }
}

/// A relation followed backwards: `Company.contacts` lists the contacts whose `company` is the company.
public struct ReverseRelation: Sendable, Hashable {
    /// The GraphQL field on the target: `contacts` (or `contactsByEmployer` when there are several).
    public let fieldName: String
    /// The entity that holds the reference: `Contact`.
    public let sourceEntity: String
    /// The reference field: `company`.
    public let referenceField: String

    /// Creates a relation.
    public init(fieldName: String, sourceEntity: String, referenceField: String) {
        self.fieldName = fieldName
        self.sourceEntity = sourceEntity
        self.referenceField = referenceField
    }
}
