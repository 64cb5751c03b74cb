import AtomoEvents
import AtomoProjection
import AtomoSQL
import AtomoSQLite
import Foundation
import Testing

@Suite("Inline projections")
struct InlineProjectionTests {
    @Test("An inline projection is updated in the append's transaction: read-your-writes")
    func readYourWrites() async throws {
        let database = try await SQLiteDatabase.open(path: TemporaryDirectory.shared.newFile("inline"))
        let contacts = ContactsProjector(table: try SQLIdentifier("contacts"))
        try await InlineSQLProjection.createSchema(of: contacts, in: database)
        let store = try await SQLiteEventStore(
            database: database, configuration: .init(inlineProjections: [InlineSQLProjection(contacts)]))
        defer { store.close() }
        let stream = try StreamName("Contact-ada")
        try await store.append([EventData(type: "ContactCreated", payload: Data("Ada".utf8))], to: stream)
        #expect(
            try await Fixtures.dump("contacts", in: database) == [
                #"text("Contact-ada")|text("Ada")|integer(0)|integer(1)"#
            ])
        // Concurrent appends are group-committed; each runs its projection in its own savepoint.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    try await store.append(
                        [
                            EventData(type: "ContactCreated", payload: Data("c\(index)".utf8)),
                            EventData(type: "Noise", payload: Data("{}".utf8)),
                        ],
                        to: try StreamName("Contact-\(index)"))
                }
            }
            try await group.waitForAll()
        }
        #expect(try await Fixtures.dump("contacts", in: database).count == 51)
    }

    @Test("A failing inline projection fails its append alone, writing nothing of it")
    func failingInlineProjection() async throws {
        struct Picky: InlineProjection {
            let name = "picky"
            func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
                try connection.execute("CREATE TABLE IF NOT EXISTS accepted (position INTEGER PRIMARY KEY)", [])
                for event in events {
                    if event.type == "Bad" { throw FlakyError.boom(event.position) }
                    try connection.execute("INSERT INTO accepted (position) VALUES (?1)", [.integer(event.position)])
                }
            }
        }
        let store = try await SQLiteEventStore(
            path: TemporaryDirectory.shared.newFile("inline-fail"), configuration: .init(inlineProjections: [Picky()]))
        defer { store.close() }
        try await store.append([EventData(type: "Good", payload: Data("{}".utf8))], to: try StreamName("Thing-1"))
        await #expect(throws: EventStoreError.self) {
            try await store.append(
                [EventData(type: "Good", payload: Data("{}".utf8)), EventData(type: "Bad", payload: Data("{}".utf8))],
                to: try StreamName("Thing-2"))
        }
        do {
            try await store.append([EventData(type: "Bad", payload: Data("{}".utf8))], to: try StreamName("Thing-3"))
            Issue.record("the append should have failed")
        } catch EventStoreError.inlineProjectionFailed(let name, let reason) {
            #expect(name == "picky")
            #expect(reason.contains("boom"))
        }
        // Group-committed: the bad one fails, the good ones commit.
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<20 {
                group.addTask {
                    (try? await store.append(
                        [EventData(type: index == 7 ? "Bad" : "Good", payload: Data("{}".utf8))],
                        to: try StreamName("Many-\(index)"))) != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 19)
        let (events, accepted) = try await store.database.read { connection in
            (
                try connection.scalarInt64("SELECT count(*) FROM atomo_events") ?? 0,
                try connection.scalarInt64("SELECT count(*) FROM accepted") ?? 0
            )
        }
        #expect(events == 20)
        #expect(accepted == 20)
        #expect(try await store.headPosition() == 20)
    }
}
