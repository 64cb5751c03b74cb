@testable import AtomoContent
import AtomoEvents
import AtomoSchema
import AtomoSQL
import AtomoSQLite
import Foundation
import Testing

/// The entity projector decodes a batch before its transaction (`prepare`); when the projector's
/// shape changes in between (an in-place migration, new upcasters), `apply` decodes again.
@Suite("Entity projector: batches prepared before the transaction")
struct PreparedProjectionTests {
    static func model(_ fields: [Field]) throws -> (ContentModel, EntityModel) {
        let model = try ContentModel(Schema(entities: [Entity("Note", fields: fields)]), tablePrefix: "t_")
        return (model, try model.entity("Note"))
    }

    @Test("a batch prepared under the old shape is decoded again under the new one")
    func preparedUnderAnOldShape() async throws {
        let (oldModel, oldEntity) = try Self.model([Field("title", .string)])
        let (newModel, newEntity) = try Self.model([Field("title", .string), Field("body", .string)])
        let shape = ProjectorShape(entity: oldEntity, decoder: ContentEventDecoder(model: oldModel, upcasters: UpcasterRegistry([])))
        let table = try SQLIdentifier("t_Note_v1")
        let projector = ContentProjector(table: table, shape: shape)
        let database = try SQLiteDatabase(inMemoryWith: .init())
        defer { database.close() }
        try await database.writeTransaction { connection in
            for statement in ReadModelTable.createStatements(newEntity, table: table, dialect: connection.dialect) {
                try connection.execute(statement, [])
            }
        }
        let events = try (1...3).map { index in
            RecordedEvent(
                id: UUID(), stream: try StreamName("Note-\(index)"), streamVersion: 0, position: Int64(index), type: "NoteCreated",
                schemaVersion: 1, payload: ContentEvent.payload(fields: ["title": .string("t\(index)"), "body": .string("b\(index)")]),
                metadata: EventMetadata(actor: "ada"), committedAt: Date())
        }
        let prepared = try projector.prepare(events)
        // Under the old shape `body` is not a field: the preparation has no value for it.
        #expect(prepared.decoded.allSatisfy { $0?.fields["body"] == nil })

        shape.replace(entity: newEntity, decoder: ContentEventDecoder(model: newModel, upcasters: UpcasterRegistry([])))
        try await database.writeTransaction { connection in try projector.apply(events, prepared: prepared, in: connection) }
        let rows = try await database.read { connection in
            try connection.query("SELECT id, title, body FROM t_Note_v1 ORDER BY id", []).map { [$0[0].text, $0[1].text, $0[2].text] }
        }
        #expect(rows == [["1", "t1", "b1"], ["2", "t2", "b2"], ["3", "t3", "b3"]])
    }

    @Test("a batch prepared under the current shape is applied as prepared, like apply(_:in:)")
    func preparedUnderTheCurrentShape() async throws {
        let (model, entity) = try Self.model([Field("title", .string)])
        let shape = ProjectorShape(entity: entity, decoder: ContentEventDecoder(model: model, upcasters: UpcasterRegistry([])))
        let database = try SQLiteDatabase(inMemoryWith: .init())
        defer { database.close() }
        var tables: [SQLIdentifier] = []
        for name in ["t_Note_a", "t_Note_b"] {
            let table = try SQLIdentifier(name)
            tables.append(table)
            try await database.writeTransaction { connection in
                for statement in ReadModelTable.createStatements(entity, table: table, dialect: connection.dialect) {
                    try connection.execute(statement, [])
                }
            }
        }
        let created = RecordedEvent(
            id: UUID(), stream: try StreamName("Note-1"), streamVersion: 0, position: 1, type: "NoteCreated", schemaVersion: 1,
            payload: ContentEvent.payload(fields: ["title": .string("first")]), metadata: EventMetadata(), committedAt: Date())
        let updated = RecordedEvent(
            id: UUID(), stream: try StreamName("Note-1"), streamVersion: 1, position: 2, type: "NoteUpdated", schemaVersion: 1,
            payload: ContentEvent.payload(fields: ["title": .string("second")], previous: ["title": .string("first")]),
            metadata: EventMetadata(), committedAt: Date())
        let other = RecordedEvent(
            id: UUID(), stream: try StreamName("Other-1"), streamVersion: 0, position: 3, type: "OtherHappened", schemaVersion: 1,
            payload: Data("{}".utf8), metadata: EventMetadata(), committedAt: Date())
        let events = [created, updated, other]
        let (first, second) = (tables[0], tables[1])
        let prepared = try ContentProjector(table: first, shape: shape).prepare(events)
        #expect(prepared.decoded.map { $0 == nil } == [false, false, true], "events that are not content events decode to nil")
        try await database.writeTransaction { connection in
            try ContentProjector(table: first, shape: shape).apply(events, prepared: prepared, in: connection)
            try ContentProjector(table: second, shape: shape).apply(events, in: connection)
        }
        let rows = try await database.read { connection in
            try ["t_Note_a", "t_Note_b"].map { name in
                try connection.query("SELECT id, _version, title FROM \(name)", []).map { "\($0[0].text ?? "") \($0[1].integer ?? -1) \($0[2].text ?? "")" }
            }
        }
        #expect(rows[0] == ["1 1 second"])
        #expect(rows[0] == rows[1])
    }
}
