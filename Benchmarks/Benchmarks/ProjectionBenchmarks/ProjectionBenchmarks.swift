import AtomoEvents
import AtomoProjection
import AtomoSQL
import Benchmark
import Foundation
import Synchronization

/// package-benchmark suites for projection runners: the catch-up `atomo-bench projection` times,
/// with package-benchmark's statistics, baselines and allocation counts.
///
/// ```
/// swift package --package-path Benchmarks benchmark --target ProjectionBenchmarks
/// ```
///
/// The log (100,000 events, appends of 1,000, 100 streams) is written once in `setup`; every
/// iteration catches a new runner up from checkpoint 0 to the head, so the wall-clock time is the time
/// per 100,000 events and the throughput is catch-ups per second.
let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(5),
        maxIterations: 20
    )
    let eventCount = 100_000

    Benchmark("Catch-up 100k events, SQLite → memory", configuration: configuration) { benchmark, log in
        let runner = ProjectionRunner(
            store: log.store, projector: CountingProjector(name: "memory-\(UUID().uuidString)"),
            checkpoints: InMemoryCheckpointStore(), configuration: .init(batchSize: 2_000))
        benchmark.startMeasurement()
        runner.start()
        try await runner.waitUntilCaughtUp(to: Int64(eventCount))
        benchmark.stopMeasurement()
        await runner.stop()
    } setup: {
        try await BenchmarkLog.open(events: eventCount)
    } teardown: {
        BenchmarkLog.closeAll()
    }

    Benchmark("Catch-up 100k events, SQLite → SQLite upserts", configuration: configuration) { benchmark, log in
        let name = "upsert_\(log.nextRun())"
        let runner = ProjectionRunner(
            store: log.store, projector: UpsertProjector(name: name, table: try SQLIdentifier(name)),
            database: log.store.database, configuration: .init(batchSize: 2_000))
        benchmark.startMeasurement()
        runner.start()
        try await runner.waitUntilCaughtUp(to: Int64(eventCount))
        benchmark.stopMeasurement()
        await runner.stop()
    } setup: {
        try await BenchmarkLog.open(events: eventCount)
    } teardown: {
        BenchmarkLog.closeAll()
    }
}

/// A SQLite event store in a temporary file, filled once per benchmark.
final class BenchmarkLog: Sendable {
    let store: SQLiteEventStore
    let path: String
    private let runs = Atomic<Int>(0)
    private static let open = Mutex<[BenchmarkLog]>([])

    private init(store: SQLiteEventStore, path: String) {
        self.store = store
        self.path = path
    }

    func nextRun() -> Int { runs.add(1, ordering: .relaxed).newValue }

    static func open(events: Int) async throws -> BenchmarkLog {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("atomo-projection-benchmark-\(UUID().uuidString).sqlite").path
        let store = try await SQLiteEventStore(path: path)
        var written = 0
        while written < events {
            let size = min(1_000, events - written)
            let payloads = (written..<(written + size)).map { index in
                EventData(
                    type: "ContactUpdated",
                    payload: Data(
                        #"{"name":"Contact \#(index)","email":"c\#(index)@example.com","score":\#(index % 97)}"#.utf8))
            }
            try await store.append(payloads, to: try StreamName("Contact-\(written / 1_000 % 1_000)"))
            written += size
        }
        let log = BenchmarkLog(store: store, path: path)
        Self.open.withLock { $0.append(log) }
        return log
    }

    static func closeAll() {
        for log in open.withLock({ logs in
            defer { logs.removeAll() }; return logs
        }) {
            log.store.close()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: log.path + suffix) }
        }
    }
}

/// Counts events in memory, de-duplicated by position.
final class CountingProjector: Projector {
    let name: String
    private let through = Mutex<Int64>(0)
    init(name: String) { self.name = name }
    func apply(_ events: [RecordedEvent]) async throws {
        through.withLock { through in
            for event in events where event.position > through { through = event.position }
        }
    }
}

/// One upsert per event.
struct UpsertProjector: SQLProjector {
    let name: String
    let table: SQLIdentifier

    func createSchema(in connection: any SQLConnection) throws {
        try connection.execute(
            "CREATE TABLE IF NOT EXISTS \(table.quoted) (stream TEXT PRIMARY KEY, events INTEGER NOT NULL, last_position INTEGER NOT NULL)",
            [])
    }

    func reset(in connection: any SQLConnection) throws { try connection.execute("DELETE FROM \(table.quoted)", []) }

    func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
        try connection.executeMany(
            """
            INSERT INTO \(table.quoted) (stream, events, last_position) VALUES (?1, 1, ?2)
            ON CONFLICT (stream) DO UPDATE SET events = events + 1, last_position = excluded.last_position
            """,
            events.map { [.text($0.stream.rawValue), .integer($0.position)] })
    }
}
