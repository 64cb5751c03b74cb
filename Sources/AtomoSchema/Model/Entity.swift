/// A kind of record — `Contact`, `Company` — with typed fields, access rules and lifecycle actions.
///
/// Each record of an entity is one event stream, `<Entity>-<id>`, and one row in its read model.
///
/// ```swift
/// Entity("Company", fields: [
///     Field("name", .string, required: true, unique: true),
///     Field("industry", .string),
/// ])
/// ```
public struct Entity: Sendable, Hashable, Codable {
    /// The entity's name: an identifier starting with a capital letter, unique in the schema. It is
    /// also the category of the records' event streams and the prefix of their event types.
    public var name: String
    /// The plural used by APIs (GraphQL's `companies`); nil means English rules (see ``Pluralizer``).
    public var pluralName: String?
    /// The declared fields, in declaration order (system fields are not listed).
    public var fields: [Field]
    /// Who may read which fields, and who may create, update and delete; nil allows every role everything.
    public var access: EntityAccess?
    /// Jobs to enqueue when records are created, updated or deleted.
    public var actions: [ActionBinding]
    /// Documentation.
    public var description: String?

    /// The fields every record has without declaring them, in this order.
    public static let systemFieldNames = ["id", "version", "createdAt", "updatedAt", "createdBy", "updatedBy"]

    /// Creates an entity.
    public init(
        _ name: String, pluralName: String? = nil, fields: [Field], access: EntityAccess? = nil,
        actions: [ActionBinding] = [], description: String? = nil
    ) {
        self.name = name
        self.pluralName = pluralName
        self.fields = fields
        self.access = access
        self.actions = actions
        self.description = description
    }

    /// The declared field named `name`, or nil.
    public func field(_ name: String) -> Field? {
        fields.first { $0.name == name }
    }

    /// The plural name APIs use: ``pluralName`` when set, otherwise the English plural of ``name``.
    public var plural: String { pluralName ?? Pluralizer.plural(of: name) }

    private enum CodingKeys: String, CodingKey { case name, pluralName = "plural", fields, access, actions, description }

    /// Decodes the canonical form; `plural`, `access`, `actions` and `description` are optional.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        pluralName = try container.decodeIfPresent(String.self, forKey: .pluralName)
        fields = try container.decode([Field].self, forKey: .fields)
        access = try container.decodeIfPresent(EntityAccess.self, forKey: .access)
        actions = try container.decodeIfPresent([ActionBinding].self, forKey: .actions) ?? []
        description = try container.decodeIfPresent(String.self, forKey: .description)
    }

    /// Encodes the canonical form, leaving out members that hold their defaults.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(pluralName, forKey: .pluralName)
        try container.encode(fields, forKey: .fields)
        try container.encodeIfPresent(access, forKey: .access)
        if !actions.isEmpty { try container.encode(actions, forKey: .actions) }
        try container.encodeIfPresent(description, forKey: .description)
    }
}
