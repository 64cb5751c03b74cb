import AtomoContent
import AtomoSchema
import Foundation

/// A value a field resolved to, before it is written: what both executors pass between levels.
///
/// Members of non-entity objects (connections, edges, page info, aggregates, changes, blocks) are
/// read with ``member(_:)``; fields of records with ``recordField(_:of:)``. Both executors use these
/// two functions, so they cannot disagree on what a field holds.
enum ResolvedValue: Sendable {
    case null
    /// A leaf value (scalar, enum, JSON, a list of them) or a block object.
    case json(JSONValue)
    case record(ContentRecord)
    case list([ResolvedValue])
    case connection(ConnectionValue)
    case edge(ContentRecord)
    case pageInfo(ConnectionValue)
    case aggregates(RecordAggregates)
    case minMax([String: JSONValue])
    case numbers([String: Double])
    case change(RecordChange)
    case changeEvent(ChangeEventValue)

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
        case .system(let name):
            switch name {
            case "id": return .json(.string(record.id))
            case "version": return .json(.int(record.version))
            case "createdAt": return .json(.string(AtomoScalars.formatDateTime(record.createdAt)))
            case "updatedAt": return .json(.string(AtomoScalars.formatDateTime(record.updatedAt)))
            case "createdBy": return .json(record.createdBy.map(JSONValue.string) ?? .null)
            case "updatedBy": return .json(record.updatedBy.map(JSONValue.string) ?? .null)
            default: return .null
            }
        case .value(let name):
            return .json(record.fields[name] ?? .null)
        default:
            return .null
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
    }
}

/// What a subscription delivers for one change: the change, the fields it changed that the
/// subscriber may read, and the record as the subscriber may read it now (nil once deleted).
struct ChangeEventValue: Sendable {
    var change: RecordChange
    var changedFields: [String]
    var record: ContentRecord?
}
