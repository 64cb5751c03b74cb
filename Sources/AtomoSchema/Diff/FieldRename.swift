/// A field renamed between two schema versions: the new field lists the old name in ``Field/formerNames``.
///
/// Events recorded before the rename carry the old name, so the content engine registers an upcaster
/// that moves `from` to `to` in their payloads.
public struct FieldRename: Sendable, Hashable, CustomStringConvertible {
    /// The entity, or for a block field the variant as `Union.Variant`.
    public var entity: String
    /// The name in the old schema.
    public var from: String
    /// The name in the new schema.
    public var to: String

    /// Creates a rename.
    public init(entity: String, from: String, to: String) {
        self.entity = entity
        self.from = from
        self.to = to
    }

    /// `Entity.from → Entity.to`.
    public var description: String { "\(entity).\(from) → \(entity).\(to)" }
}
