import AtomoEvents
import AtomoProjection
import AtomoSQL
import AtomoSQLite
import Foundation
import Synchronization
import Testing

@Suite("Error policy")
struct ErrorPolicyTests {
    @Test("A failing event is retried, then parked; health shows it; resume continues from it")
    func retryParkResume() async throws {
        let store = InMemoryEventStore()
        try await Fixtures.appendContacts(5_000, to: store)
        let projector = FlakyProjector(poison: 2_345)
        let checkpoints = InMemoryCheckpointStore()
        let policy = ProjectionErrorPolicy.retryThenPark(maxAttempts: 3, backoff: .milliseconds(1)...(.milliseconds(4)))
        let runner = ProjectionRunner(
            store: store, projector: projector, checkpoints: checkpoints,
            configuration: .init(batchSize: 1000, errorPolicy: policy))
        runner.start()
        await #expect(throws: ProjectionError.self) {
            try await runner.waitUntilCaughtUp(to: 5_000, timeout: .seconds(10))
        }
        #expect(await Fixtures.eventually { runner.health().state == .parked })

        let parked = runner.health()
        #expect(parked.state == .parked)
        #expect(parked.checkpoint == 2_344, "parked just before the failing event")
        #expect(parked.lastError?.position == 2_345)
        #expect(parked.lastError?.message == "boom at 2345")
        #expect(parked.lastError?.attempts == 3)
        #expect(parked.errorCount == 4, "the batch, then three attempts on the event alone")
        #expect(projector.attemptsOnPoison == 4)
        #expect(try await checkpoints.load("flaky") == 2_344)
        #expect(projector.applied == Array(1...2_344), "everything before the event is applied")

        // Still parked a moment later: a parked runner does not advance on its own.
        try await Task.sleep(for: .milliseconds(50))
        #expect(runner.health().checkpoint == 2_344)

        projector.failing.store(false, ordering: .relaxed)
        runner.resume()
        try await runner.waitUntilCaughtUp(to: 5_000, timeout: .seconds(10))
        let health = runner.health()
        #expect(health.lastError == nil, "the error clears once the event is applied")
        #expect(health.skipped.isEmpty)
        #expect(projector.applied == Array(1...5_000), "nothing skipped, nothing twice")
        await runner.stop()
        #expect(runner.health().state == .stopped)
    }

    @Test("The skip policy records the poison event and goes on")
    func skipRecords() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("skip"))
        defer { store.close() }
        try await Fixtures.appendContacts(3_000, to: store)
        struct Poisoned: SQLProjector {
            let name = "poisoned"
            func createSchema(in connection: any SQLConnection) throws {
                try connection.execute("CREATE TABLE IF NOT EXISTS seen (position INTEGER PRIMARY KEY)", [])
            }
            func reset(in connection: any SQLConnection) throws { try connection.execute("DELETE FROM seen", []) }
            func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
                for event in events {
                    if event.position == 1_500 { throw FlakyError.boom(1_500) }
                    try connection.execute("INSERT INTO seen (position) VALUES (?1)", [.integer(event.position)])
                }
            }
        }
        let policy = ProjectionErrorPolicy.retryThenSkip(maxAttempts: 2, backoff: .milliseconds(1)...(.milliseconds(2)))
        let runner = ProjectionRunner(
            store: store, projector: Poisoned(), database: store.database,
            configuration: .init(batchSize: 256, errorPolicy: policy))
        runner.start()
        try await runner.waitUntilCaughtUp(to: 3_000, timeout: .seconds(20))
        let health = runner.health()
        await runner.stop()
        #expect(health.skipped.map(\.position) == [1_500])
        #expect(health.skipped.first?.error == "boom at 1500")
        let recorded = try await SQLCheckpointStore(database: store.database).skippedEvents("poisoned")
        #expect(recorded.map(\.position) == [1_500])
        #expect(recorded.first?.eventType != nil)
        let (count, missing) = try await store.database.read { connection in
            (
                try connection.scalarInt64("SELECT count(*) FROM seen") ?? 0,
                try connection.scalarInt64("SELECT count(*) FROM seen WHERE position = 1500") ?? -1
            )
        }
        #expect(count == 2_999, "every other event applied exactly once")
        #expect(missing == 0)
    }
}
