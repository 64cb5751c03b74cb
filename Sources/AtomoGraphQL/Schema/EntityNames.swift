public import AtomoSchema

/// The GraphQL names an entity is exposed under: `Contact` → type `Contact`, queries `contact`,
/// `contacts`, `contactsAggregate`, `contactHistory`, mutations `createContact`, `updateContact`,
/// `deleteContact`, `restoreContact`, subscriptions `contactChanged`, `contactsChanged`, and the
/// input, connection and aggregate types named after it.
///
/// The plural comes from ``Entity/plural`` (English rules, or the entity's `pluralName`).
public struct EntityNames: Sendable, Hashable {
    /// The object type: the entity's name.
    public let type: String
    /// The single-record query: `contact`.
    public let single: String
    /// The list query: `contacts`.
    public let list: String

    /// Names an entity.
    public init(_ entity: Entity) {
        type = entity.name
        single = Self.lowerFirst(entity.name)
        list = Self.lowerFirst(entity.plural)
    }

    /// The aggregate query: `contactsAggregate`.
    public var aggregate: String { list + "Aggregate" }
    /// The history query: `contactHistory`.
    public var history: String { single + "History" }
    /// The create mutation: `createContact`.
    public var create: String { "create" + type }
    /// The update mutation: `updateContact`.
    public var update: String { "update" + type }
    /// The delete mutation: `deleteContact`.
    public var delete: String { "delete" + type }
    /// The restore mutation: `restoreContact`.
    public var restore: String { "restore" + type }
    /// The one-record subscription: `contactChanged`.
    public var changed: String { single + "Changed" }
    /// The filtered subscription: `contactsChanged`.
    public var listChanged: String { list + "Changed" }
    /// `ContactCreateInput`.
    public var createInput: String { type + "CreateInput" }
    /// `ContactUpdateInput`.
    public var updateInput: String { type + "UpdateInput" }
    /// `ContactWhere`.
    public var whereInput: String { type + "Where" }
    /// `ContactOrderBy`.
    public var orderByInput: String { type + "OrderBy" }
    /// `ContactConnection`.
    public var connection: String { type + "Connection" }
    /// `ContactEdge`.
    public var edge: String { type + "Edge" }
    /// `ContactAggregate`.
    public var aggregateType: String { type + "Aggregate" }
    /// `ContactAggregateMinMax`: the min and max of each orderable field.
    public var aggregateMinMax: String { type + "AggregateMinMax" }
    /// `ContactAggregateSum`.
    public var aggregateSum: String { type + "AggregateSum" }
    /// `ContactAggregateAvg`.
    public var aggregateAvg: String { type + "AggregateAvg" }
    /// `ContactChange`: one entry of a record's history.
    public var change: String { type + "Change" }
    /// `ContactChangeEvent`: what the subscriptions deliver.
    public var changeEvent: String { type + "ChangeEvent" }

    /// `Company` → `company`, `URLLink` → `uRLLink` (only the first letter changes).
    static func lowerFirst(_ name: String) -> String {
        guard let first = name.first else { return name }
        return first.lowercased() + name.dropFirst()
    }

    /// `callLog` → `CallLog`.
    static func upperFirst(_ name: String) -> String {
        guard let first = name.first else { return name }
        return first.uppercased() + name.dropFirst()
    }
}
