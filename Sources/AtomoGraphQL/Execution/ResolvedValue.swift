import AtomoContent
import AtomoSchema
import Foundation

/// A value a field resolved to, before it is written: what both executors pass between levels.
///
/// Members of non-entity objects (connections, edges, page info, aggregates, changes, blocks) are
/// read with ``member(_:)``; fields of records with ``recordField(_:of:)``. Both executors use these
/// two functions, so they cannot disagree on what a field holds.
///
/// The cases that carry a record or another large value are `indirect`: a value is copied at every
/// level of the writer, and a boxed record copies as one reference where an inline one copied
/// (and retained) each of its strings and its field dictionary.
enum ResolvedValue: Sendable {
    case null
    /// A leaf value (scalar, enum, JSON, a list of them) or a block object.
    case json(JSONValue)
    indirect case record(ContentRecord)
    case list([ResolvedValue])
    indirect case connection(ConnectionValue)
    indirect case edge(ContentRecord)
    indirect case pageInfo(ConnectionValue)
    indirect case aggregates(RecordAggregates)
    case minMax([String: JSONValue])
    case numbers([String: Double])
    indirect case change(RecordChange)
    indirect case changeEvent(ChangeEventValue)

    /// The member `name` of a plain value object.
    func member(_ name: String) -> ResolvedValue {
        switch self {
        case .connection(let page):
            switch name {
            case "edges": return .list(page.records.map(ResolvedValue.edge))
            case "nodes": return .list(page.records.map(ResolvedValue.record))
            case "pageInfo": return .pageInfo(page)
            case "totalCount": return page.totalCount.map { .json(.int(Int64($0))) } ?? .null
            default: return .null
            }
        case .edge(let record):
            switch name {
            case "cursor": return .json(record.cursor.map(JSONValue.string) ?? .null)
            case "node": return .record(record)
            default: return .null
            }
        case .pageInfo(let page):
            switch name {
            case "hasNextPage": return .json(.bool(page.hasNextPage))
            case "hasPreviousPage": return .json(.bool(page.hasPreviousPage))
            case "startCursor": return .json(page.records.first?.cursor.map(JSONValue.string) ?? .null)
            case "endCursor": return .json(page.records.last?.cursor.map(JSONValue.string) ?? .null)
            default: return .null
            }
        case .aggregates(let aggregates):
            switch name {
            case "count": return .json(.int(Int64(aggregates.count)))
            case "min": return .minMax(aggregates.min)
            case "max": return .minMax(aggregates.max)
            case "sum": return .numbers(aggregates.sum)
            case "avg": return .numbers(aggregates.avg)
            default: return .null
            }
        case .minMax(let values):
            return .json(values[name] ?? .null)
        case .numbers(let values):
            return values[name].map { .json(.double($0)) } ?? .null
        case .change(let change):
            switch name {
            case "kind": return .json(.string(change.kind.rawValue.uppercased()))
            case "version": return .json(.int(change.version))
            case "at": return .json(.string(AtomoScalars.formatDateTime(change.at)))
            case "actor": return .json(change.actor.map(JSONValue.string) ?? .null)
            case "fields": return .json(.object(change.fields))
            case "previous": return .json(.object(change.previous))
            default: return .null
            }
        case .changeEvent(let event):
            switch name {
            case "kind": return .json(.string(event.change.kind.rawValue.uppercased()))
            case "id": return .json(.string(event.change.id))
            case "version": return .json(.int(event.change.version))
            case "at": return .json(.string(AtomoScalars.formatDateTime(event.change.at)))
            case "actor": return .json(event.change.actor.map(JSONValue.string) ?? .null)
            case "changedFields": return .json(.array(event.changedFields.map(JSONValue.string)))
            case "record": return event.record.map(ResolvedValue.record) ?? .null
            default: return .null
            }
        case .json(let value):
            return .json(value[name] ?? .null)
        case .null, .record, .list:
            return .null
        }
    }

    /// A system or declared field of a record, as a leaf value.
    static func recordField(_ kind: FieldKind, of record: ContentRecord) -> ResolvedValue {
        switch kind {
        case .system, .value: return .json(recordJSON(kind, of: record))
        default: return .null
        }
    }

    /// A system or declared field of a record, as JSON (null for any other kind of field).
    static func recordJSON(_ kind: FieldKind, of record: ContentRecord) -> JSONValue {
        switch kind {
        case .system(let name):
            switch name {
            case "id": return .string(record.id)
            case "version": return .int(record.version)
            case "createdAt": return .string(AtomoScalars.formatDateTime(record.createdAt))
            case "updatedAt": return .string(AtomoScalars.formatDateTime(record.updatedAt))
            case "createdBy": return record.createdBy.map(JSONValue.string) ?? .null
            case "updatedBy": return record.updatedBy.map(JSONValue.string) ?? .null
            default: return .null
            }
        case .value(let name):
            return record.fields[name] ?? .null
        default:
            return .null
        }
    }

    /// Whether this is null: no value, or a JSON null (a record field that holds nothing).
    var isNull: Bool {
        switch self {
        case .null, .json(.null): return true
        default: return false
        }
    }

    /// The block type name of a block value (`type` member), for unions.
    var blockType: String? {
        if case .json(let value) = self { return value["type"]?.stringValue }
        return nil
    }
}

/// A page of a connection.
struct ConnectionValue: Sendable {
    var records: [ContentRecord]
    var totalCount: Int?
    var hasNextPage: Bool
    var hasPreviousPage: Bool
    /// The records read with the page for its included reference fields, by field and id.
    var references: [String: [String: ContentRecord]] = [:]

    init(records: [ContentRecord], totalCount: Int?, hasNextPage: Bool, hasPreviousPage: Bool) {
        self.records = records
        self.totalCount = totalCount
        self.hasNextPage = hasNextPage
        self.hasPreviousPage = hasPreviousPage
    }

    init(_ page: RecordPage) {
        self.init(
            records: page.records, totalCount: page.totalCount, hasNextPage: page.hasNextPage,
            hasPreviousPage: page.hasPreviousPage)
        references = page.references
    }
}

/// What a subscription delivers for one change: the change, the fields it changed that the
/// subscriber may read, and the record as the subscriber may read it now (nil once deleted).
struct ChangeEventValue: Sendable {
    var change: RecordChange
    var changedFields: [String]
    var record: ContentRecord?
}
