import AtomoSchema
import Foundation

/// A record folded from its events: the independent fold that history, time travel and the tests use.
struct RecordState: Sendable, Hashable {
    var entity: String
    var id: String
    var version: Int64
    var fields: [String: JSONValue]
    var createdAt: Date
    var updatedAt: Date
    var createdBy: String?
    var updatedBy: String?
    var isDeleted: Bool

    /// Starts a record from its create event.
    init(created event: ContentEvent, entity: EntityModel) {
        self.entity = event.entity
        self.id = event.id
        self.version = event.version
        var fields: [String: JSONValue] = [:]
        for column in entity.columns {
            fields[column.name] = event.fields[column.name] ?? (RecordValidator.isCollection(column.field.type) ? .array([]) : .null)
        }
        self.fields = fields
        self.createdAt = event.at
        self.updatedAt = event.at
        self.createdBy = event.actor
        self.updatedBy = event.actor
        self.isDeleted = false
    }

    /// Applies a later event of the same record.
    mutating func apply(_ event: ContentEvent) {
        switch event.kind {
        case .created: break
        case .updated: for (name, value) in event.fields { fields[name] = value }
        case .deleted: isDeleted = true
        case .restored: isDeleted = false
        }
        version = event.version
        updatedAt = event.at
        updatedBy = event.actor
    }

    /// Folds a stream's events (in order) up to a version and a time; nil when nothing is left.
    static func fold(_ events: [ContentEvent], entity: EntityModel, upTo version: Int64? = nil, asOf time: Date? = nil)
        -> RecordState?
    {
        var state: RecordState?
        for event in events {
            if let version, event.version > version { break }
            if let time, event.at > time { break }
            if state == nil {
                guard event.kind == .created else { continue }
                state = RecordState(created: event, entity: entity)
            } else {
                state?.apply(event)
            }
        }
        return state
    }

    /// The record as a value.
    var record: ContentRecord {
        ContentRecord(
            entity: entity, id: id, version: version, fields: fields, createdAt: createdAt, updatedAt: updatedAt,
            createdBy: createdBy, updatedBy: updatedBy, isDeleted: isDeleted)
    }
}
