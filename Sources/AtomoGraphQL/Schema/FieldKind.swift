/// What a field of a built schema does: the plan both executors follow.
///
/// The schema builder records a kind for every field it creates (by parent type and field name),
/// so the planned executor and the reference resolvers agree on what each field means.
public enum FieldKind: Sendable, Hashable {
    // Fields of an entity's object type.
    /// `id`, `version`, `createdAt`, `updatedAt`, `createdBy`, `updatedBy`.
    case system(String)
    /// A declared field holding a value (scalar, enum, list, json, blocks).
    case value(String)
    /// A reference field, resolved to the referenced record: `Contact.company`.
    case reference(field: String, target: String)
    /// A reverse relation as a connection: `Company.contacts`.
    case reverse(ReverseRelation)

    // Root query fields.
    /// `contact(id:, asOf:, version:)`.
    case single(entity: String)
    /// `contacts(where:, orderBy:, first:, after:, last:, before:)`.
    case list(entity: String)
    /// `contactsAggregate(where:)`.
    case aggregate(entity: String)
    /// `contactHistory(id:)`.
    case history(entity: String)

    /// `schemaFingerprint`: the declared schema's fingerprint, so clients notice a reload.
    case schemaFingerprint

    // Root mutation fields.
    /// `createContact(input:)`.
    case create(entity: String)
    /// `updateContact(id:, input:, expectedVersion:)`.
    case update(entity: String)
    /// `deleteContact(id:, expectedVersion:)`.
    case delete(entity: String)
    /// `restoreContact(id:, expectedVersion:)`.
    case restore(entity: String)

    // Root subscription fields.
    /// `contactChanged(id:)`.
    case changed(entity: String)
    /// `contactsChanged(where:)`.
    case listChanged(entity: String)

    /// A root field contributed by a ``GraphQLSchemaPart`` (the platform's `me`, `users`, `events`, …;
    /// jobs, sync, the console): resolved by the part's resolver.
    case contributed(ContributedField)

    /// A member of a plain value object (connections, edges, page info, aggregates, changes,
    /// blocks): read by name from the value the parent resolved to.
    case member(String)
}
