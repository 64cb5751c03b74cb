import AtomoEvents
import AtomoProjection
import AtomoSQL
import AtomoSQLite
import Foundation
import Metrics
import Synchronization
import Testing

@Suite("Projection runner")
struct RunnerTests {
    @Test("Catches up, goes live, and applies new events soon after they commit")
    func catchUpThenLive() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("live"))
        defer { store.close() }
        try await Fixtures.appendContacts(2_000, to: store)
        let runner = ProjectionRunner(store: store, projector: CountingSQLProjector(), database: store.database)
        runner.start()
        try await runner.waitUntilCaughtUp(to: 2_000, timeout: .seconds(10))
        #expect(await Fixtures.eventually { runner.health().state == .live })
        for index in 0..<20 {
            let result = try await store.append(
                [EventData(type: "Ping", payload: Data("{}".utf8))], to: try StreamName("Ping-\(index)"))
            try await runner.waitUntilCaughtUp(to: result.lastPosition, timeout: .seconds(2))
            let count = try await store.database.read { try $0.scalarInt64("SELECT n FROM event_count") }
            #expect(count == result.lastPosition)
        }
        let health = runner.health()
        #expect(health.checkpoint == 2_020)
        #expect(health.head == 2_020)
        #expect(health.lagEvents == 0)
        #expect(health.lagSeconds == 0)
        #expect(health.eventsApplied == 2_020)
        #expect(health.eventsPerSecond > 0)
        #expect(health.errorCount == 0)
        await runner.stop()
        #expect(runner.health().state == .stopped)
    }

    @Test("Waits time out at their own deadlines, a short one behind a long one too, and the rest still complete")
    func waitsTimeOutAtTheirDeadlines() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("wait-timeouts"))
        defer { store.close() }
        try await Fixtures.appendContacts(100, to: store)
        let runner = ProjectionRunner(store: store, projector: CountingSQLProjector(), database: store.database)
        runner.start()
        try await runner.waitUntilCaughtUp(to: 100, timeout: .seconds(10))
        // The long wait registers first: the short one must not wait behind its deadline.
        let long = Task { try await runner.waitUntilCaughtUp(to: 101, timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(50))
        let clock = ContinuousClock()
        let started = clock.now
        let short = await #expect(throws: ProjectionError.self) {
            try await runner.waitUntilCaughtUp(to: 101, timeout: .milliseconds(100))
        }
        #expect(short == .timedOut(name: runner.name, position: 101, checkpoint: 100))
        #expect(clock.now - started < .seconds(20))
        let immediate = await #expect(throws: ProjectionError.self) {
            try await runner.waitUntilCaughtUp(to: 101, timeout: .zero)
        }
        #expect(immediate == .timedOut(name: runner.name, position: 101, checkpoint: 100))
        _ = try await store.append([EventData(type: "Ping", payload: Data("{}".utf8))], to: try StreamName("Ping-1"))
        try await long.value
        #expect(runner.health().checkpoint == 101)
        await runner.stop()
    }

    @Test("A restart at the head wakes callers waiting to catch up, with nothing left to apply")
    func restartAtHeadWakesWaiters() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("restart-at-head"))
        defer { store.close() }
        try await Fixtures.appendContacts(500, to: store)
        let first = ProjectionRunner(store: store, projector: CountingSQLProjector(), database: store.database)
        first.start()
        try await first.waitUntilCaughtUp(to: 500, timeout: .seconds(10))
        await first.stop()
        // The stored checkpoint is the head: the new runner applies no batch at all.
        let second = ProjectionRunner(store: store, projector: CountingSQLProjector(), database: store.database)
        second.start()
        try await second.waitUntilCaughtUp(to: 500, timeout: .seconds(10))
        #expect(second.health().checkpoint == 500)
        await second.stop()
    }

    @Test("A filtered projector advances its checkpoint past other event types")
    func filteredAdvances() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("filtered"))
        defer { store.close() }
        try await Fixtures.appendContacts(5_000, to: store)
        let runner = ProjectionRunner(
            store: store, projector: CountingSQLProjector(name: "noise", eventTypes: ["Noise"]),
            database: store.database, configuration: .init(batchSize: 100))
        runner.start()
        try await runner.waitUntilCaughtUp(to: 5_000, timeout: .seconds(10))
        await runner.stop()
        let (count, checkpoint) = try await store.database.read { connection in
            (
                try connection.scalarInt64("SELECT n FROM event_count"),
                try connection.scalarInt64("SELECT position FROM atomo_projection_checkpoints WHERE name = 'noise'")
            )
        }
        #expect(count == 500)
        #expect(checkpoint == 5_000)
    }

    @Test("stop() checkpoints what was applied; a new runner continues from there")
    func stopAndContinue() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("stop"))
        defer { store.close() }
        try await Fixtures.appendContacts(50_000, to: store, perAppend: 5_000)
        let first = ProjectionRunner(
            store: store, projector: CountingSQLProjector(), database: store.database,
            configuration: .init(batchSize: 100))
        first.start()
        try await Task.sleep(for: .milliseconds(30))
        await first.stop()
        let stoppedAt = first.health().checkpoint
        let count = try await store.database.read { try $0.scalarInt64("SELECT n FROM event_count") }
        #expect(count == stoppedAt)
        let second = ProjectionRunner(store: store, projector: CountingSQLProjector(), database: store.database)
        second.start()
        try await second.waitUntilCaughtUp(to: 50_000, timeout: .seconds(30))
        await second.stop()
        #expect(try await store.database.read { try $0.scalarInt64("SELECT n FROM event_count") } == 50_000)
    }

    @Test("Two runners of one SQL projector never both commit a batch (compare-and-set checkpoint)")
    func checkpointConflict() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("conflict"))
        defer { store.close() }
        try await Fixtures.appendContacts(30_000, to: store)
        let configuration = ProjectionRunner.Configuration(batchSize: 50)
        let a = ProjectionRunner(
            store: store, projector: CountingSQLProjector(), database: store.database, configuration: configuration)
        let b = ProjectionRunner(
            store: store, projector: CountingSQLProjector(), database: store.database, configuration: configuration)
        a.start()
        b.start()
        let survivor = await Fixtures.eventually(timeout: .seconds(30)) {
            let states = [a.health(), b.health()]
            return states.contains { $0.checkpoint == 30_000 } || states.allSatisfy { $0.state == .stopped }
        }
        #expect(survivor)
        await a.stop()
        await b.stop()
        let count = try await store.database.read { try $0.scalarInt64("SELECT n FROM event_count") }
        let checkpoint = try await SQLCheckpointStore(database: store.database).load("counter")
        #expect(count == checkpoint, "no batch was applied twice")
    }

    @Test("With a leadership, only the lease holder applies; another takes over when it is lost")
    func leadershipTakeover() async throws {
        let store = InMemoryEventStore()
        try await Fixtures.appendContacts(1_000, to: store)
        let leadership = LocalProjectionLeadership()
        let checkpoints = InMemoryCheckpointStore()
        let configuration = ProjectionRunner.Configuration(
            leadership: leadership, leadershipRetryInterval: .milliseconds(10))
        let projectorA = FlakyProjector(name: "led", poison: -1)
        let projectorB = FlakyProjector(name: "led", poison: -1)
        let a = ProjectionRunner(
            store: store, projector: projectorA, checkpoints: checkpoints, configuration: configuration)
        a.start()
        try await a.waitUntilCaughtUp(to: 1_000, timeout: .seconds(10))
        let b = ProjectionRunner(
            store: store, projector: projectorB, checkpoints: checkpoints, configuration: configuration)
        b.start()
        #expect(await Fixtures.eventually { b.health().state == .standby })
        try await store.append([EventData(type: "Ping", payload: Data("{}".utf8))], to: try StreamName("Ping-1"))
        try await a.waitUntilCaughtUp(to: 1_001, timeout: .seconds(10))
        #expect(projectorB.applied.isEmpty, "the standby runner applied nothing")

        await a.stop()  // releases the lease
        try await store.append([EventData(type: "Ping", payload: Data("{}".utf8))], to: try StreamName("Ping-2"))
        try await b.waitUntilCaughtUp(to: 1_002, timeout: .seconds(10))
        #expect(projectorB.applied == [1_002], "the new leader continues from the shared checkpoint")
        await b.stop()
    }

    @Test("With a maximum batch latency, live events are gathered into fuller batches, each applied once")
    func maxBatchLatency() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("latency"))
        defer { store.close() }
        let projector = BatchRecordingProjector()
        let runner = ProjectionRunner(
            store: store, projector: projector, checkpoints: InMemoryCheckpointStore(),
            configuration: .init(batchSize: 100, maxBatchLatency: .milliseconds(200)))
        runner.start()
        #expect(await Fixtures.eventually { runner.health().state == .live })
        var last: Int64 = 0
        for index in 0..<20 {
            last = try await store.append(
                [EventData(type: "Ping", payload: Data("{}".utf8))], to: try StreamName("Ping-\(index)")
            ).lastPosition
        }
        try await runner.waitUntilCaughtUp(to: last, timeout: .seconds(10))
        await runner.stop()
        #expect(projector.positions == Array(1...20), "every event once, in order")
        #expect(projector.batchSizes.count < 20, "events were gathered: \(projector.batchSizes)")
    }

    @Test("waitUntilCaughtUp times out, and fails once the runner stops")
    func waitsEnd() async throws {
        let store = InMemoryEventStore()
        try await Fixtures.appendContacts(10, to: store)
        let runner = ProjectionRunner(
            store: store, projector: FlakyProjector(name: "waits", poison: -1), checkpoints: InMemoryCheckpointStore())
        runner.start()
        try await runner.waitUntilCaughtUp(to: 10, timeout: .seconds(5))
        await #expect(throws: ProjectionError.timedOut(name: "waits", position: 11, checkpoint: 10)) {
            try await runner.waitUntilCaughtUp(to: 11, timeout: .milliseconds(20))
        }
        let pending = Task { try await runner.waitUntilCaughtUp(to: 1_000) }
        try await Task.sleep(for: .milliseconds(20))
        await runner.stop()
        await #expect(throws: ProjectionError.stopped(name: "waits")) { try await pending.value }
        await #expect(throws: ProjectionError.stopped(name: "waits")) { try await runner.waitUntilCaughtUp(to: 11) }
    }

    @Test("Leadership lock keys are stable FNV-1a values, distinct per projector")
    func lockKeys() {
        // FNV-1a 64 of "atomo_projection:contacts", computed outside Swift (Python), as a signed integer.
        #expect(ProjectionLockKey.forProjector("contacts") == 3_513_429_766_412_149_378)
        #expect(ProjectionLockKey.forProjector("contacts") == ProjectionLockKey.forProjector("contacts"))
        #expect(ProjectionLockKey.forProjector("contacts") != ProjectionLockKey.forProjector("contacts2"))
    }

    @Test("Metrics are emitted under their documented names")
    func metricNames() async throws {
        let factory = RecordingMetricsFactory()
        MetricsSystem.bootstrap(factory)  // once per process: only this test does it
        let store = InMemoryEventStore()
        try await Fixtures.appendContacts(100, to: store)
        let runner = ProjectionRunner(
            store: store, projector: FlakyProjector(name: "metered", poison: -1), checkpoints: InMemoryCheckpointStore()
        )
        runner.start()
        try await runner.waitUntilCaughtUp(to: 100, timeout: .seconds(10))
        await runner.stop()
        let labels = factory.labels
        for name in [
            "atomo_projection_events_total", "atomo_projection_batches_total", "atomo_projection_errors_total",
            "atomo_projection_skipped_total", "atomo_projection_checkpoint", "atomo_projection_head",
            "atomo_projection_lag_events", "atomo_projection_lag_seconds", "atomo_projection_parked",
            "atomo_projection_batch_seconds",
        ] {
            #expect(labels.contains(name), "\(name) is registered")
        }
        #expect(factory.counterTotal("atomo_projection_events_total", projector: "metered") == 100)
    }
}
