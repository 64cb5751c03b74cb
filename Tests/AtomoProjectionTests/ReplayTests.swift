import AtomoEvents
import AtomoProjection
import AtomoSQL
import AtomoSQLite
import Foundation
import Testing

@Suite("Replay and rebuild")
struct ReplayTests {
    @Test("Replaying from zero twice yields identical read-model tables")
    func replayTwiceIsIdentical() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("replay"))
        defer { store.close() }
        try await Fixtures.appendContacts(20_000, to: store)
        let projector = ContactsProjector(table: try SQLIdentifier("contacts"))
        let runner = ProjectionRunner(
            store: store, projector: projector, database: store.database, configuration: .init(batchSize: 700))
        runner.start()
        let head = try await store.headPosition()
        try await runner.waitUntilCaughtUp(to: head, timeout: .seconds(30))
        let first = try await Fixtures.dump("contacts", in: store.database)
        #expect(first.count == 450, "contacts whose number ends in 9 only ever get noise")

        try await runner.rebuild()
        try await runner.waitUntilCaughtUp(to: head, timeout: .seconds(30))
        let second = try await Fixtures.dump("contacts", in: store.database)
        await runner.stop()

        // Replay again with a fresh runner, a different batch size, from a reset that is not running.
        let other = ProjectionRunner(
            store: store, projector: projector, database: store.database, configuration: .init(batchSize: 4096))
        try await other.rebuild()
        #expect(try await Fixtures.dump("contacts", in: store.database).isEmpty, "reset empties the model")
        other.start()
        try await other.waitUntilCaughtUp(to: head, timeout: .seconds(30))
        let third = try await Fixtures.dump("contacts", in: store.database)
        await other.stop()

        #expect(first == second)
        #expect(first == third)
        let renames = try await store.database.read { connection in
            try connection.scalarInt64("SELECT sum(renames) + count(*) FROM contacts") ?? 0
        }
        #expect(renames == 18_000, "every contact event was applied exactly once")
    }

    @Test("Rebuilding an at-least-once projector resets it and replays every event")
    func rebuildInMemory() async throws {
        let store = InMemoryEventStore()
        try await Fixtures.appendContacts(3_000, to: store)
        let projector = FlakyProjector(poison: -1)
        let runner = ProjectionRunner(store: store, projector: projector, checkpoints: InMemoryCheckpointStore())
        runner.start()
        try await runner.waitUntilCaughtUp(to: 3_000, timeout: .seconds(10))
        try await runner.rebuild()
        try await runner.waitUntilCaughtUp(to: 3_000, timeout: .seconds(10))
        await runner.stop()
        #expect(projector.applied == Array(1...3_000))
    }
}
