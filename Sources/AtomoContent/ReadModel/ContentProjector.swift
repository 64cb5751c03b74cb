import AtomoEvents
import AtomoProjection
import AtomoSchema
import AtomoSQL
import Foundation
import Synchronization

/// The shape a projector writes; shared with the engine so an in-place (additive) migration can
/// widen a live projector's columns after it altered the table.
final class ProjectorShape: Sendable {
    private let state: Mutex<(entity: EntityModel, decoder: ContentEventDecoder, generation: Int)>

    init(entity: EntityModel, decoder: ContentEventDecoder) { state = Mutex((entity, decoder, 0)) }

    /// The shape, with a number that changes whenever it is replaced.
    var current: (entity: EntityModel, decoder: ContentEventDecoder, generation: Int) { state.withLock { $0 } }

    func replace(entity: EntityModel, decoder: ContentEventDecoder) {
        state.withLock { $0 = (entity, decoder, $0.generation + 1) }
    }
}

/// The commit times of recently applied events, by position, so a command can return its record
/// without reading it back. Bounded: when full it forgets everything, and a command then reads the row.
final class AppliedCommitTimes: Sendable {
    private let times = Mutex<[Int64: Date]>([:])
    private static let capacity = 65_536

    func record(_ position: Int64, _ time: Date) {
        times.withLock { times in
            if times.count >= Self.capacity { times.removeAll(keepingCapacity: true) }
            times[position] = time
        }
    }

    func take(_ position: Int64) -> Date? { times.withLock { $0.removeValue(forKey: position) } }
}

/// Keeps one entity's read-model table: one row per record, written in the runner's transaction
/// together with its checkpoint (exactly once).
struct ContentProjector: SQLProjector {
    let name: String
    let table: SQLIdentifier
    let shape: ProjectorShape
    let eventTypes: Set<String>?
    let commitTimes: AppliedCommitTimes?

    init(table: SQLIdentifier, shape: ProjectorShape, commitTimes: AppliedCommitTimes? = nil) {
        self.commitTimes = commitTimes
        let entity = shape.current.entity
        self.name = "content.\(entity.name)"
        self.table = table
        self.shape = shape
        self.eventTypes = entity.eventTypes
    }

    func createSchema(in connection: any SQLConnection) throws {
        for statement in ReadModelTable.createStatements(shape.current.entity, table: table, dialect: connection.dialect) {
            try connection.execute(statement, [])
        }
    }

    func reset(in connection: any SQLConnection) throws {
        try connection.execute("DELETE FROM \(table.quoted)", [])
    }

    /// A batch decoded before its transaction, under the shape of `generation`.
    struct Prepared: Sendable {
        var generation: Int
        /// Per event: the decoded content event, nil for events that are not content events.
        var decoded: [ContentEvent?]
        /// Per event: the row a created record inserts, nil for other events.
        var insertedRows: [[SQLValue]?]
    }

    /// Decodes the batch's payloads and builds the rows of created records, outside the
    /// transaction (decoding alone was about a third of the time the projector held the writer).
    func prepare(_ events: [RecordedEvent]) throws -> Prepared {
        let (entity, decoder, generation) = shape.current
        let decoded = try events.map { try decoder.decode($0)?.1 }
        return Prepared(generation: generation, decoded: decoded, insertedRows: decoded.map { event in
            guard let event, event.kind == .created else { return nil }
            return Self.insertedRow(event, entity: entity)
        })
    }

    /// The row `event` (a creation) inserts: system columns, then the entity's columns in order.
    private static func insertedRow(_ event: ContentEvent, entity: EntityModel) -> [SQLValue] {
        let at = SQLValue.integer(ContentTime.microseconds(event.at))
        let actor = event.actor.map(SQLValue.text) ?? .null
        var values: [SQLValue] = [.text(event.id), .integer(event.version), at, at, actor, actor, .integer(0)]
        values.reserveCapacity(values.count + entity.columns.count)
        for column in entity.columns {
            values.append(ReadModelTable.sqlValue(event.fields[column.name], storage: column.storage))
        }
        return values
    }

    func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
        try apply(events, prepared: prepare(events), in: connection)
    }

    func apply(_ events: [RecordedEvent], prepared: Prepared, in connection: any SQLConnection) throws {
        let (entity, _, generation) = shape.current
        // A migration replaced the shape since: decode again under the new one.
        let prepared = generation == prepared.generation ? prepared : try prepare(events)
        let p = connection.dialect.placeholder
        var pendingSQL: String?
        var pendingRows: [[SQLValue]] = []
        func flush() throws {
            guard let sql = pendingSQL else { return }
            if pendingRows.count == 1 {
                try connection.execute(sql, pendingRows[0])
            } else {
                try connection.executeMany(sql, pendingRows)
            }
            pendingSQL = nil
            pendingRows.removeAll(keepingCapacity: true)
        }
        func add(_ sql: String, _ values: [SQLValue]) throws {
            if sql != pendingSQL { try flush() }
            pendingSQL = sql
            pendingRows.append(values)
        }
        let insert = insertSQL(entity, p)
        for (index, decoded) in prepared.decoded.enumerated() {
            guard let event = decoded else { continue }
            commitTimes?.record(event.position, event.at)
            let at = SQLValue.integer(ContentTime.microseconds(event.at))
            let actor = event.actor.map(SQLValue.text) ?? .null
            switch event.kind {
            case .created:
                try add(insert, prepared.insertedRows[index] ?? Self.insertedRow(event, entity: entity))
            case .updated:
                let changed = entity.columns.filter { event.fields[$0.name] != nil }
                var assignments = ["_version = \(p(1))", "_updated_at = \(p(2))", "_updated_by = \(p(3))"]
                var values: [SQLValue] = [.integer(event.version), at, actor]
                for column in changed {
                    values.append(ReadModelTable.sqlValue(event.fields[column.name], storage: column.storage))
                    assignments.append("\(column.column.quoted) = \(p(values.count))")
                }
                values.append(.text(event.id))
                try add("UPDATE \(table.quoted) SET \(assignments.joined(separator: ", ")) WHERE id = \(p(values.count))", values)
            case .deleted, .restored:
                try add(
                    "UPDATE \(table.quoted) SET _version = \(p(1)), _updated_at = \(p(2)), _updated_by = \(p(3)), _deleted = \(p(4)) WHERE id = \(p(5))",
                    [.integer(event.version), at, actor, .integer(event.kind == .deleted ? 1 : 0), .text(event.id)])
            }
        }
        try flush()
    }

    private func insertSQL(_ entity: EntityModel, _ p: (Int) -> String) -> String {
        let names = EntityModel.systemColumns + entity.columns.map(\.column.quoted)
        let placeholders = (1...names.count).map(p).joined(separator: ", ")
        return "INSERT INTO \(table.quoted) (\(names.joined(separator: ", "))) VALUES (\(placeholders))"
    }
}
