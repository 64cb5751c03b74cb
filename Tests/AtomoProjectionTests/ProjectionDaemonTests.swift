import AtomoEvents
import AtomoProjection
import AtomoSQL
import AtomoSQLite
import Foundation
import Synchronization
import Testing

/// A read model of the positions it applied, which fails on one position while `failing` is set.
final class SwitchablePoisonProjector: SQLProjector, Sendable {
    let name: String
    let poison: Int64
    let failing = Atomic<Bool>(true)
    private let table: SQLIdentifier

    init(name: String, poison: Int64) throws {
        self.name = name
        self.poison = poison
        self.table = try SQLIdentifier("\(name)_seen")
    }

    func createSchema(in connection: any SQLConnection) throws {
        try connection.execute("CREATE TABLE IF NOT EXISTS \(table.quoted) (position INTEGER PRIMARY KEY)", [])
    }

    func reset(in connection: any SQLConnection) throws { try connection.execute("DELETE FROM \(table.quoted)", []) }

    func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
        for event in events {
            if event.position == poison && failing.load(ordering: .relaxed) { throw FlakyError.boom(poison) }
            try connection.execute("INSERT INTO \(table.quoted) (position) VALUES (?1)", [.integer(event.position)])
        }
    }

    /// The positions applied, in order.
    func applied(in database: any SQLDatabase) async throws -> [Int64] {
        let table = self.table
        return try await database.readTransaction { connection in
            try connection.query("SELECT position FROM \(table.quoted) ORDER BY position", []).compactMap {
                $0[0].integer
            }
        }
    }
}

@Suite("Projection daemon")
struct ProjectionDaemonTests {
    static let park = ProjectionErrorPolicy.retryThenPark(
        maxAttempts: 2, backoff: .milliseconds(1)...(.milliseconds(2)))

    @Test("Register, start, status and stop: every runner as a whole, in registration order")
    func registerStartStatusStop() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("daemon-lifecycle"))
        defer { store.close() }
        try await Fixtures.appendContacts(2_000, to: store)
        let daemon = ProjectionDaemon()
        let contacts = ProjectionRunner(
            store: store, projector: ContactsProjector(table: try SQLIdentifier("contacts")), database: store.database)
        let positions = try SwitchablePoisonProjector(name: "positions", poison: -1)
        let everything = ProjectionRunner(store: store, projector: positions, database: store.database)
        try daemon.register(contacts)
        try daemon.register(everything)
        #expect(daemon.names == ["contacts", "positions"])
        #expect(throws: ProjectionError.duplicateProjector(name: "contacts")) {
            try daemon.register(
                ProjectionRunner(
                    store: store, projector: ContactsProjector(table: try SQLIdentifier("other")),
                    database: store.database))
        }
        #expect(!contacts.isStarted, "registering does not start a runner while the daemon is stopped")

        daemon.start()
        #expect(daemon.isRunning)
        try await contacts.waitUntilCaughtUp(to: 2_000, timeout: .seconds(20))
        try await everything.waitUntilCaughtUp(to: 2_000, timeout: .seconds(20))
        // The phase turns live just after the last batch's waiters are resumed.
        #expect(await Fixtures.eventually { await daemon.status().allSatisfy { $0.state == .live } })
        let status = await daemon.status()
        #expect(status.map(\.name) == ["contacts", "positions"])
        for projector in status {
            #expect(projector.state == .live, "\(projector.name)")
            #expect(projector.checkpoint == 2_000 && projector.head == 2_000, "\(projector.name)")
            #expect(projector.lagEvents == 0 && projector.lagSeconds == 0, "\(projector.name) is caught up")
            #expect(projector.errorCount == 0 && projector.parked == nil)
        }
        #expect(status[1].eventsApplied == 2_000)

        // A runner registered while the daemon runs is started by it.
        let late = try SwitchablePoisonProjector(name: "late", poison: -1)
        let lateRunner = ProjectionRunner(store: store, projector: late, database: store.database)
        try daemon.register(lateRunner)
        try await lateRunner.waitUntilCaughtUp(to: 2_000, timeout: .seconds(20))
        #expect(try await late.applied(in: store.database).count == 2_000)

        await daemon.stop()
        #expect(!daemon.isRunning)
        #expect(await daemon.status().allSatisfy { $0.state == .stopped })
        daemon.unregister(lateRunner)
        #expect(daemon.names == ["contacts", "positions"])
        await #expect(throws: ProjectionError.unknownProjector(name: "late")) { try await daemon.status(of: "late") }
    }

    @Test("Lag in seconds is the age of the oldest event not applied while behind, 0 once caught up")
    func lagSeconds() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("daemon-lag"))
        defer { store.close() }
        try await Fixtures.appendContacts(500, to: store)
        let daemon = ProjectionDaemon()
        let projector = try SwitchablePoisonProjector(name: "lagging", poison: -1)
        let runner = ProjectionRunner(store: store, projector: projector, database: store.database)
        try daemon.register(runner)
        // Not started: the whole log is behind it, and its oldest event is at least this old.
        try await Task.sleep(for: .milliseconds(300))
        let behind = try await daemon.status(of: "lagging")
        #expect(behind.head == 500)
        #expect(behind.lagEvents == 500)
        #expect(behind.lagSeconds >= 0.3, "lag while behind: \(behind.lagSeconds) s")
        #expect(behind.lagSeconds < 60)

        daemon.start()
        try await runner.waitUntilCaughtUp(to: 500, timeout: .seconds(20))
        let caughtUp = try await daemon.status(of: "lagging")
        #expect(caughtUp.lagEvents == 0)
        #expect(caughtUp.lagSeconds == 0, "no lag once caught up")
        await daemon.stop()
    }

    @Test("A parked runner reports parked with its event; skip records it and goes on; resume retries it")
    func parkedSkipResume() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("daemon-parked"))
        defer { store.close() }
        try await Fixtures.appendContacts(1_000, to: store)
        let daemon = ProjectionDaemon()
        let skipping = try SwitchablePoisonProjector(name: "skipping", poison: 400)
        let resuming = try SwitchablePoisonProjector(name: "resuming", poison: 700)
        for projector in [skipping, resuming] {
            try daemon.register(
                ProjectionRunner(
                    store: store, projector: projector, database: store.database,
                    configuration: .init(batchSize: 128, errorPolicy: Self.park)))
        }
        await #expect(throws: ProjectionError.notParked(name: "skipping")) { try await daemon.skipParked("skipping") }
        daemon.start()
        let parkedBoth = await Fixtures.eventually {
            await daemon.status().allSatisfy { $0.state == .parked }
        }
        #expect(parkedBoth, "both runners park")

        let status = await daemon.status()
        let parked = try #require(status.first { $0.name == "skipping" })
        #expect(parked.checkpoint == 399, "parked just before the failing event")
        #expect(parked.parked?.position == 400)
        let poisonEvent = try #require(try await store.readAll(after: 399, limit: 1).first)
        #expect(parked.parked?.eventType == poisonEvent.type)
        #expect(parked.parked?.eventID == poisonEvent.id)
        #expect(parked.parked?.message == "boom at 400")
        #expect(parked.parked?.attempts == 2)
        #expect(parked.lagEvents == 601)
        #expect(parked.lagSeconds > 0, "a parked runner is behind in time too")
        #expect(parked.errorCount == 3, "the batch, then two attempts on the event alone")
        #expect(parked.errorsPerSecond > 0)
        await #expect(throws: ProjectionError.parked(name: "skipping", position: 400, message: "boom at 400")) {
            try await daemon.runner(named: "skipping")?.waitUntilCaughtUp(to: 1_000, timeout: .seconds(5))
        }

        // Skip: recorded with its error, the checkpoint moves past it, the rest is applied.
        let skipped = try await daemon.skipParked("skipping")
        #expect(skipped.position == 400 && skipped.error == "boom at 400")
        try await daemon.runner(named: "skipping")?.waitUntilCaughtUp(to: 1_000, timeout: .seconds(20))
        #expect(try await Fixtures.eventually { try await daemon.status(of: "skipping").state == .live })
        let applied = try await skipping.applied(in: store.database)
        #expect(applied == Array(1...399) + Array(401...1_000), "everything but the skipped event, once")
        let afterSkip = try await daemon.status(of: "skipping")
        #expect(afterSkip.state == .live && afterSkip.parked == nil)
        #expect(afterSkip.skipped.map(\.position) == [400])
        #expect(
            try await SQLCheckpointStore(database: store.database).skippedEvents("skipping").map(\.position) == [400])

        // Resume: the event is tried again, and now it applies.
        resuming.failing.store(false, ordering: .relaxed)
        try daemon.resume("resuming")
        try await daemon.runner(named: "resuming")?.waitUntilCaughtUp(to: 1_000, timeout: .seconds(20))
        #expect(try await resuming.applied(in: store.database) == Array(1...1_000))
        #expect(try await Fixtures.eventually { try await daemon.status(of: "resuming").state == .live })
        let resumed = try await daemon.status(of: "resuming")
        #expect(resumed.state == .live && resumed.parked == nil && resumed.lagSeconds == 0)
        await daemon.stop()
    }

    @Test("Rebuild by name resets the read model and replays the log, while the runner keeps running")
    func rebuildByName() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("daemon-rebuild"))
        defer { store.close() }
        try await Fixtures.appendContacts(1_500, to: store)
        let daemon = ProjectionDaemon()
        let projector = try SwitchablePoisonProjector(name: "rebuilt", poison: -1)
        let runner = ProjectionRunner(store: store, projector: projector, database: store.database)
        try daemon.register(runner)
        daemon.start()
        try await runner.waitUntilCaughtUp(to: 1_500, timeout: .seconds(20))
        let before = try await daemon.status(of: "rebuilt").eventsApplied
        try await daemon.rebuild("rebuilt")
        try await runner.waitUntilCaughtUp(to: 1_500, timeout: .seconds(20))
        #expect(try await projector.applied(in: store.database) == Array(1...1_500))
        #expect(await Fixtures.eventually { runner.health().state == .live })
        let after = try await daemon.status(of: "rebuilt")
        #expect(after.eventsApplied == before + 1_500, "the whole log was applied again")
        #expect(after.state == .live && after.checkpoint == 1_500)
        await #expect(throws: ProjectionError.unknownProjector(name: "missing")) { try await daemon.rebuild("missing") }
        await daemon.stop()
    }
}
