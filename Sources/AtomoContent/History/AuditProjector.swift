import AtomoEvents
import AtomoProjection
import AtomoSchema
import AtomoSQL
import Foundation

/// Keeps `atomo_content_audit`: one row per content event (every entity), indexed by actor,
/// entity and time, for ``ContentEngine/audit(_:as:)``. The payload is kept as written; it is read
/// in the current schema's shape (renames, types) at query time.
struct AuditProjector: SQLProjector {
    let name = "content.audit"
    static let suffixes = ["Created", "Updated", "Deleted", "Restored"]

    func createSchema(in connection: any SQLConnection) throws {
        let text = connection.dialect.binaryTextType
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS atomo_content_audit (position BIGINT PRIMARY KEY, entity \(text) NOT NULL,
            record_id \(text) NOT NULL, type \(text) NOT NULL, version BIGINT NOT NULL, actor \(text), at BIGINT NOT NULL,
            correlation_id \(text), payload \(text) NOT NULL)
            """, [])
        try connection.execute("CREATE INDEX IF NOT EXISTS atomo_content_audit_actor ON atomo_content_audit (actor, position)", [])
        try connection.execute("CREATE INDEX IF NOT EXISTS atomo_content_audit_entity ON atomo_content_audit (entity, position)", [])
        try connection.execute("CREATE INDEX IF NOT EXISTS atomo_content_audit_record ON atomo_content_audit (entity, record_id, position)", [])
        try connection.execute("CREATE INDEX IF NOT EXISTS atomo_content_audit_at ON atomo_content_audit (at)", [])
    }

    func reset(in connection: any SQLConnection) throws {
        try connection.execute("DELETE FROM atomo_content_audit", [])
    }

    func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
        try apply(events, prepared: prepare(events), in: connection)
    }

    /// The batch's rows, built before the transaction (the payload texts are copies).
    func prepare(_ events: [RecordedEvent]) -> [[SQLValue]] {
        var rows: [[SQLValue]] = []
        for event in events {
            let category = String(event.stream.category)
            guard event.type.hasPrefix(category), Self.suffixes.contains(String(event.type.dropFirst(category.count))) else { continue }
            rows.append([
                .integer(event.position), .text(category), .text(String(event.stream.id)), .text(event.type),
                .integer(event.streamVersion), event.metadata.actor.map(SQLValue.text) ?? .null,
                .integer(ContentTime.microseconds(event.committedAt)), event.metadata.correlationID.map(SQLValue.text) ?? .null,
                .text(String(decoding: event.payload, as: UTF8.self)),
            ])
        }
        return rows
    }

    func apply(_ events: [RecordedEvent], prepared rows: [[SQLValue]], in connection: any SQLConnection) throws {
        let p = connection.dialect.placeholder
        guard !rows.isEmpty else { return }
        try connection.executeMany(
            "INSERT INTO atomo_content_audit (position, entity, record_id, type, version, actor, at, correlation_id, payload) VALUES (\((1...9).map(p).joined(separator: ", ")))",
            rows)
    }

    static func query(_ query: AuditQuery, entities: [String], in connection: any SQLConnection) throws -> [SQLRow] {
        let p = connection.dialect.placeholder
        var values: [SQLValue] = []
        func bind(_ value: SQLValue) -> String {
            values.append(value)
            return p(values.count)
        }
        var conditions = ["entity IN (\(entities.map { bind(.text($0)) }.joined(separator: ", ")))"]
        if let actor = query.actor { conditions.append("actor = \(bind(.text(actor)))") }
        if let id = query.recordID { conditions.append("record_id = \(bind(.text(id)))") }
        if let from = query.from { conditions.append("at >= \(bind(.integer(ContentTime.microseconds(from))))") }
        if let to = query.to { conditions.append("at < \(bind(.integer(ContentTime.microseconds(to))))") }
        if let before = query.beforePosition { conditions.append("position < \(bind(.integer(before)))") }
        return try connection.query(
            "SELECT position, entity, record_id, type, version, actor, at, correlation_id, payload FROM atomo_content_audit WHERE \(conditions.joined(separator: " AND ")) ORDER BY position DESC LIMIT \(bind(.integer(Int64(query.limit))))",
            values)
    }

    /// A row as a change in the current schema's shape, or nil for an entity no longer served.
    static func change(_ row: SQLRow, model: ContentModel) -> RecordChange? {
        guard let entityName = row[1].text, let entity = model.entities[entityName], let type = row[3].text,
            let kind = entity.kind(ofEventType: type)
        else { return nil }
        let payload = (try? ContentJSON.decode(row[8].text ?? "{}")) ?? .null
        var fields: [String: JSONValue] = [:]
        var previous: [String: JSONValue] = [:]
        if case .object(let members)? = payload["fields"] { fields = ContentEventDecoder.current(members, entity: entity) }
        if case .object(let members)? = payload["previous"] { previous = ContentEventDecoder.current(members, entity: entity) }
        return RecordChange(
            entity: entityName, id: row[2].text ?? "", kind: kind, version: row[4].integer ?? 0, position: row[0].integer ?? 0,
            at: ContentTime.date(microseconds: row[6].integer ?? 0), actor: row[5].text, correlationID: row[7].text,
            fields: fields, previous: previous)
    }
}
