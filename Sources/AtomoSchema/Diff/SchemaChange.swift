/// One difference between two versions of a schema, classified by what it means for stored data and clients.
///
/// ```swift
/// let diff = SchemaDiff(from: old, to: new)
/// for change in diff.changes {
///     print(change)   // "breaking: Contact.email: the field was removed"
/// }
/// ```
public struct SchemaChange: Sendable, Hashable, CustomStringConvertible {
    /// What changed.
    public var kind: Kind
    /// Where: `roles`, `enum Stage`, `Block`, `Block.CallLog`, `Block.CallLog.at`, `Contact`, `Contact.email`,
    /// `Contact.access.read`, `Contact.actions`.
    public var location: String
    /// A human description of the change.
    public var message: String
    /// Whether the change only adds, keeps every stored value valid, or can invalidate data or clients.
    public var classification: Classification

    /// Creates a change.
    public init(_ kind: Kind, at location: String, _ message: String, _ classification: Classification) {
        self.kind = kind
        self.location = location
        self.message = message
        self.classification = classification
    }

    /// `classification: location: message`.
    public var description: String { "\(classification): \(location): \(message)" }

    /// How a change affects existing data and clients, from harmless to harmful.
    ///
    /// AtomoContent uses it to decide how to apply a schema change: additive changes migrate the read
    /// model in place; compatible and breaking ones rebuild it from the log (blue/green); breaking ones
    /// can also reject stored records or break clients, so hosts usually ask for confirmation.
    public enum Classification: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
        /// Only adds: a new entity, enum value, block variant, role or action; a new field that is
        /// optional, a list, or has a default. Every stored record and every client stays valid.
        case additive
        /// Changes something without invalidating stored values: a relaxed validation, required →
        /// optional, a rename recorded in ``Field/formerNames``, a widening type change (int → float,
        /// string → text), descriptions, PII classification, access rules, actions.
        case compatible
        /// Can invalidate stored records or clients: a removed entity, field, enum value, block variant
        /// or role; a type change that cannot convert; optional → required without a default; a new
        /// unique constraint; a tightened validation.
        case breaking

        /// Orders by severity.
        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

        /// `additive`, `compatible` or `breaking`.
        public var description: String {
            switch self {
            case .additive: "additive"
            case .compatible: "compatible"
            case .breaking: "breaking"
            }
        }
    }

    /// The kinds of change ``SchemaDiff`` reports.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A role was added.
        case roleAdded
        /// A role was removed.
        case roleRemoved
        /// The roles were reordered.
        case rolesReordered
        /// An enum was added.
        case enumAdded
        /// An enum was removed.
        case enumRemoved
        /// A value was added to an enum.
        case enumValueAdded
        /// A value was removed from an enum.
        case enumValueRemoved
        /// An enum's values were reordered or its description changed.
        case enumChanged
        /// A block union was added.
        case blockUnionAdded
        /// A block union was removed.
        case blockUnionRemoved
        /// A block union's variants were reordered or its description changed.
        case blockUnionChanged
        /// A variant was added to a block union.
        case blockVariantAdded
        /// A variant was removed from a block union.
        case blockVariantRemoved
        /// A variant's fields were reordered or its description changed.
        case blockVariantChanged
        /// An entity was added.
        case entityAdded
        /// An entity was removed.
        case entityRemoved
        /// An entity's plural, description or field order changed.
        case entityChanged
        /// A field was added (to an entity or a block variant).
        case fieldAdded
        /// A field was removed.
        case fieldRemoved
        /// A field was renamed, the old name recorded in ``Field/formerNames``.
        case fieldRenamed
        /// A field's type changed.
        case fieldTypeChanged
        /// A field became required or optional.
        case fieldRequirednessChanged
        /// A field became unique or stopped being unique.
        case fieldUniquenessChanged
        /// A field became indexed or stopped being indexed (its read model is rebuilt).
        case fieldIndexChanged
        /// A field's default changed.
        case fieldDefaultChanged
        /// A field's validations changed.
        case fieldValidationChanged
        /// A field's PII classification changed.
        case fieldClassificationChanged
        /// A field's description or former names changed.
        case fieldDocumentationChanged
        /// An access rule was added, removed or changed.
        case accessChanged
        /// The platform capabilities granted to a role changed.
        case capabilitiesChanged
        /// A lifecycle action binding was added.
        case actionAdded
        /// A lifecycle action binding was removed.
        case actionRemoved
        /// A lifecycle action binding's condition changed.
        case actionChanged
    }
}
