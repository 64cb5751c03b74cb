import AtomoSchema
import AtomoSQL

/// The schema as the engine uses it: each entity with its read-model view, columns and event types.
struct ContentModel: Sendable {
    let schema: Schema
    let tablePrefix: String
    var entitiesByName: [String: EntityModel]
    var entities: [String: EntityModel] { entitiesByName }

    init(_ schema: Schema, tablePrefix: String) throws(ContentError) {
        do {
            try schema.validate()
        } catch {
            throw .invalidSchema("\(error)")
        }
        self.schema = schema
        self.tablePrefix = tablePrefix
        var entities: [String: EntityModel] = [:]
        for entity in schema.entities {
            entities[entity.name] = try EntityModel(entity, schema: schema, tablePrefix: tablePrefix)
        }
        self.entitiesByName = entities
    }

    /// The entity named `name`.
    func entity(_ name: String) throws(ContentError) -> EntityModel {
        guard let model = entities[name] else { throw .unknownEntity(name) }
        return model
    }

    /// The entity whose event type is `type`, and the kind of change, or nil for other events.
    func classify(eventType type: String) -> (EntityModel, RecordChange.Kind)? {
        for kind in RecordChange.Kind.allCases {
            let suffix = ContentEventKind.suffix(kind)
            guard type.hasSuffix(suffix) else { continue }
            if let model = entities[String(type.dropLast(suffix.count))] { return (model, kind) }
        }
        return nil
    }
}

/// How a value is kept in a read-model column.
enum ColumnStorage: String, Sendable, Hashable {
    /// Text: strings, enums, references, dates (ISO 8601), datetimes (normalised to UTC).
    case text
    /// A 64-bit integer.
    case integer
    /// A double.
    case real
    /// A boolean, as 0/1.
    case boolean
    /// JSON text: lists, blocks, json.
    case json
}

/// One declared field's column.
struct ColumnModel: Sendable, Hashable {
    let field: Field
    let column: SQLIdentifier
    let storage: ColumnStorage
    /// Whether the column gets an index: references, unique fields, enums.
    let isIndexed: Bool
    /// Whether the column also gets an index in list order (the column, then `id`): fields declared
    /// ``Field/isIndexed``, so that pages ordered by them walk the index instead of sorting.
    var hasListOrderIndex: Bool { field.isIndexed }

    var name: String { field.name }
}

/// One entity: its fields, read-model names and event types.
struct EntityModel: Sendable {
    let entity: Entity
    /// The view readers query (`content_Contact`); versions are tables `<view>_v<n>`.
    let view: SQLIdentifier
    let columns: [ColumnModel]
    let columnsByName: [String: ColumnModel]
    /// Former field names → current names (renames recorded in `formerNames`).
    let renames: [String: String]
    /// The four event types → their kinds (decoding looks up every event's).
    let kindsByEventType: [String: RecordChange.Kind]

    /// The read-model columns every table has, before the declared ones.
    static let systemColumns = ["id", "_version", "_created_at", "_updated_at", "_created_by", "_updated_by", "_deleted"]

    init(_ entity: Entity, schema: Schema, tablePrefix: String) throws(ContentError) {
        self.entity = entity
        do {
            view = try SQLIdentifier("\(tablePrefix)\(entity.name)")
            // The highest version suffix must fit too.
            _ = try SQLIdentifier("\(tablePrefix)\(entity.name)_v9999")
        } catch {
            throw .invalidSchema("\(entity.name): the table name \(tablePrefix)\(entity.name) is not a valid SQL identifier (\(error))")
        }
        var columns: [ColumnModel] = []
        var renames: [String: String] = [:]
        for field in entity.fields {
            guard !Self.systemColumns.contains(field.name) else {
                throw .invalidSchema("\(entity.name).\(field.name): the name is taken by a read-model system column")
            }
            let column: SQLIdentifier
            do {
                column = try SQLIdentifier(field.name)
            } catch {
                throw .invalidSchema("\(entity.name).\(field.name): not a valid column name")
            }
            let storage: ColumnStorage
            var indexed = field.isUnique
            switch field.type {
            case .string, .text, .email, .url, .date, .datetime: storage = .text
            case .enumeration:
                storage = .text
                indexed = true
            case .reference:
                storage = .text
                indexed = true
            case .int: storage = .integer
            case .float: storage = .real
            case .bool: storage = .boolean
            case .json, .list, .blocks: storage = .json
            }
            columns.append(ColumnModel(field: field, column: column, storage: storage, isIndexed: indexed))
            for former in field.formerNames where entity.field(former) == nil { renames[former] = field.name }
        }
        self.columns = columns
        self.columnsByName = Dictionary(columns.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.renames = renames
        self.kindsByEventType = Dictionary(
            uniqueKeysWithValues: RecordChange.Kind.allCases.map { (entity.name + ContentEventKind.suffix($0), $0) })
    }

    var name: String { entity.name }

    /// The event type of `kind`: `ContactCreated`.
    func eventType(_ kind: RecordChange.Kind) -> String { entity.name + ContentEventKind.suffix(kind) }

    /// All four event types.
    var eventTypes: Set<String> { Set(kindsByEventType.keys) }

    /// The kind of this entity's event type `type`, or nil when `type` is not one of its four.
    func kind(ofEventType type: String) -> RecordChange.Kind? { kindsByEventType[type] }
}

/// The event type suffixes.
enum ContentEventKind {
    static func suffix(_ kind: RecordChange.Kind) -> String {
        switch kind {
        case .created: "Created"
        case .updated: "Updated"
        case .deleted: "Deleted"
        case .restored: "Restored"
        }
    }
}
