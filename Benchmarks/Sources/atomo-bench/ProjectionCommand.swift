import ArgumentParser
import AtomoEvents
import AtomoPostgres
import AtomoProjection
import AtomoSQL
import AtomoSQLite
import Foundation
import Synchronization

/// `atomo-bench projection`: catch-up throughput and live latency of a projection runner.
///
/// ```
/// swift run -c release --package-path Benchmarks atomo-bench projection --backend sqlite --events 1000000 --target memory --json
/// swift run -c release --package-path Benchmarks atomo-bench projection --backend postgres --target postgres --url "$ATOMO_POSTGRES_URL"
/// ```
struct ProjectionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projection",
        abstract: "Measure projection catch-up throughput and append-to-read-model latency.",
        discussion: """
            Generates --events events in a fresh store (appends of 1,000 events, 1,000 streams, ~100-byte JSON \
            payloads). Catch-up: a new runner projects the whole log from checkpoint 0 to the head, --runs times; \
            the figure is the median events per second. Target memory counts events and bytes in memory \
            (at-least-once, de-duplicated by position); target sqlite upserts one row per event into a table in \
            the store's own SQLite file, in the same transaction as the checkpoint (exactly-once); target postgres \
            does the same in PostgreSQL through PostgresSQLDatabase (in the store's schema with --backend postgres). \
            PostgreSQL runs in a fresh schema on --url (default $ATOMO_POSTGRES_URL), dropped at the end. Live: with the \
            runner caught up, one task appends single events at --live-rate per second for --live-seconds; each \
            latency is from the start of the append call to the moment the runner's checkpoint (and so the read \
            model) includes the event.
            """
    )

    /// The event store implementation.
    enum Backend: String, ExpressibleByArgument, CaseIterable {
        case sqlite
        case postgres
        /// `InMemoryEventStore`: no storage at all, for like-for-like comparisons with in-memory peers.
        case memory
    }

    /// Where the read model lives.
    enum Target: String, ExpressibleByArgument, CaseIterable {
        case memory
        case sqlite
        case postgres
    }

    @Option(help: "The event store: \(Backend.allCases.map(\.rawValue).joined(separator: ", ")).")
    var backend: Backend = .sqlite

    @Option(help: "Events to generate and project.")
    var events: Int = 1_000_000

    @Option(help: "The read model: \(Target.allCases.map(\.rawValue).joined(separator: ", ")).")
    var target: Target = .memory

    @Option(help: "Events per batch (one transaction for the sqlite target).")
    var batchSize: Int = 2_000

    @Option(help: "Pages read ahead while a batch is applied (ProjectionRunner.Configuration.readAhead).")
    var readAhead: Int = 3

    @Option(help: "Catch-up runs; the figure is the median.")
    var runs: Int = 3

    @Option(help: "Appends per second during the live phase.")
    var liveRate: Int = 1_000

    @Option(help: "Seconds of live appends (0 skips the live phase).")
    var liveSeconds: Double = 10

    @Option(help: "The PostgreSQL server for --backend/--target postgres (default: $ATOMO_POSTGRES_URL).")
    var url: String?

    @Option(help: "The SQLite file (must not exist; removed at the end). Default: a fresh temporary file.")
    var path: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard events > 0, batchSize > 0, runs > 0, liveRate > 0, liveSeconds >= 0, readAhead >= 0 else {
            throw ValidationError("--events, --batch-size, --runs and --live-rate must be positive")
        }
        if (backend == .postgres || target == .postgres) && postgresURL == nil {
            throw ValidationError("pass --url or set ATOMO_POSTGRES_URL (eval \"$(scripts/start-postgres)\" starts a server)")
        }
        if backend != .sqlite && target == .sqlite {
            throw ValidationError(
                "--target sqlite keeps the read model in the store's SQLite file: use --backend sqlite")
        }
    }

    private var postgresURL: String? { url ?? ProcessInfo.processInfo.environment["ATOMO_POSTGRES_URL"] }

    func run() async throws {
        let file =
            path
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("atomo-bench-projection-\(getpid()).sqlite").path
        guard !FileManager.default.fileExists(atPath: file) else {
            throw ValidationError("\(file) exists; pass a path that does not")
        }
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        }
        let sqliteStore = backend == .sqlite ? try await SQLiteEventStore(path: file) : nil
        defer { sqliteStore?.close() }
        // A fresh schema per run, from a constant prefix and the process id: always a valid identifier.
        let schema = try SQLIdentifier("atomo_bench_projection_\(getpid())")
        var postgresStore: PostgresEventStore?
        if backend == .postgres, let url = postgresURL {
            postgresStore = try await PostgresEventStore(url: url, configuration: .init(schema: schema))
        }
        let store: any EventStore
        if let sqliteStore {
            store = sqliteStore
        } else if let postgresStore {
            store = postgresStore
        } else {
            store = InMemoryEventStore()
        }
        var database: PostgresSQLDatabase?
        if target == .postgres, let url = postgresURL {
            database = try postgresStore?.makeDatabase(threads: 2) ?? PostgresSQLDatabase(url: url, schema: schema, threads: 2)
        }
        let sqlDatabase: (any SQLDatabase)? =
            switch target {
            case .memory: nil
            case .sqlite: sqliteStore?.database
            case .postgres: database
            }
        do {
            try await measure(store: store, database: sqlDatabase)
        } catch {
            await dropPostgres(schema: schema, store: postgresStore, database: database)
            throw error
        }
        await dropPostgres(schema: schema, store: postgresStore, database: database)
    }

    /// Drops the benchmark's PostgreSQL schema, if it made one.
    private func dropPostgres(schema: SQLIdentifier, store: PostgresEventStore?, database: PostgresSQLDatabase?) async {
        if let database {
            if store == nil { _ = try? await database.writeTransaction { try $0.execute("DROP SCHEMA \(schema.quoted) CASCADE", []) } }
            database.close()
        }
        try? await store?.dropSchemaAndClose()
    }

    private func measure(store: any EventStore, database: (any SQLDatabase)?) async throws {

        var progress = TerminalProgress("generating", total: events)
        let generateStart = ContinuousClock.now
        try await ProjectionWorkload.generate(events, into: store) { progress.update($0) }
        let generateSeconds = (ContinuousClock.now - generateStart).seconds
        progress.finish()
        let head = try await store.headPosition()

        var rates: [Double] = []
        for run in 0..<runs {
            let runner = makeRunner(store: store, database: database, name: "bench-\(run)")
            let seconds = try await catchUp(runner, to: head, label: "catch-up \(run + 1)/\(runs)")
            await runner.stop()
            rates.append(Double(events) / seconds)
        }
        let median = rates.sorted()[rates.count / 2]

        var live: LiveResult?
        if liveSeconds > 0 {
            let runner = makeRunner(store: store, database: database, name: "bench-live")
            _ = try await catchUp(runner, to: head, label: "live: catching up")
            live = try await measureLive(store: store, runner: runner)
            await runner.stop()
        }
        report(generateRate: Double(events) / generateSeconds, catchUpRates: rates, median: median, live: live)
    }

    private func makeRunner(store: any EventStore, database: (any SQLDatabase)?, name: String) -> ProjectionRunner {
        let configuration = ProjectionRunner.Configuration(batchSize: batchSize, readAhead: readAhead)
        switch database {
        case nil:
            return ProjectionRunner(
                store: store, projector: MemoryCountingProjector(name: name), checkpoints: InMemoryCheckpointStore(),
                configuration: configuration)
        case let database?:
            // Names are generated here from a constant prefix and an integer: always valid identifiers.
            let table =
                (try? SQLIdentifier(name.replacingOccurrences(of: "-", with: "_"))) ?? SQLIdentifierFallback.table
            return ProjectionRunner(
                store: store, projector: SQLUpsertProjector(name: name, table: table), database: database,
                configuration: configuration)
        }
    }

    /// Starts `runner` and returns the seconds it took to reach `head`.
    private func catchUp(_ runner: ProjectionRunner, to head: Int64, label: String) async throws -> Double {
        let start = ContinuousClock.now
        runner.start()
        if isatty(2) == 1 {
            var progress = TerminalProgress(label, total: Int(head))
            while runner.health().checkpoint < head {
                progress.update(Int(runner.health().checkpoint))
                if runner.health().state == .parked || runner.health().state == .stopped { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            progress.finish()
        }
        try await runner.waitUntilCaughtUp(to: head)
        return (ContinuousClock.now - start).seconds
    }

    struct LiveResult {
        var appends: Int
        var achievedRate: Double
        var p50: Double
        var p99: Double
        var max: Double
    }

    /// Appends single events at the live rate and measures append-start to read-model latency.
    private func measureLive(store: any EventStore, runner: ProjectionRunner) async throws -> LiveResult {
        let total = Int(Double(liveRate) * liveSeconds)
        let interval = Duration.seconds(1) / liveRate
        let latencies = LatencyLog()
        var progress = TerminalProgress("live", total: total)
        let start = ContinuousClock.now
        let stream = try StreamName("Live-1")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<total {
                let scheduled = start + interval * index
                if scheduled > .now { try await Task.sleep(until: scheduled, clock: .continuous) }
                let began = ContinuousClock.now
                let result = try await store.append(
                    [EventData(type: "ContactUpdated", payload: Data(#"{"name":"live \#(index)"}"#.utf8))], to: stream)
                group.addTask {
                    try await runner.waitUntilCaughtUp(to: result.lastPosition, timeout: .seconds(30))
                    let latency = (ContinuousClock.now - began).seconds
                    latencies.values.withLock { $0.append(latency) }
                }
                progress.update(index + 1)
            }
            try await group.waitForAll()
        }
        progress.finish()
        let elapsed = (ContinuousClock.now - start).seconds
        let sorted = latencies.values.withLock { $0 }.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)] * 1000
        }
        return LiveResult(
            appends: total, achievedRate: Double(total) / elapsed, p50: percentile(0.50), p99: percentile(0.99),
            max: (sorted.last ?? 0) * 1000)
    }

    private func report(generateRate: Double, catchUpRates: [Double], median: Double, live: LiveResult?) {
        if json {
            var object: [String: Any] = [
                "command": "projection", "backend": backend.rawValue, "target": target.rawValue, "events": events,
                "batch_size": batchSize, "generate_events_per_second": generateRate.rounded(),
                "catch_up_events_per_second": catchUpRates.map { $0.rounded() },
                "catch_up_median_events_per_second": median.rounded(),
            ]
            if let live {
                object["live"] = [
                    "appends": live.appends, "rate_per_second": live.achievedRate.rounded(),
                    "p50_ms": (live.p50 * 1000).rounded() / 1000, "p99_ms": (live.p99 * 1000).rounded() / 1000,
                    "max_ms": (live.max * 1000).rounded() / 1000,
                ]
            }
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                print(String(decoding: data, as: UTF8.self))
            }
            return
        }
        print(
            "projection: backend \(backend.rawValue), target \(target.rawValue), \(events) events, batch \(batchSize)")
        print("  generate:  \(Int(generateRate)) events/s")
        print(
            "  catch-up:  median \(Int(median)) events/s (runs: \(catchUpRates.map { "\(Int($0))" }.joined(separator: ", ")))"
        )
        if let live {
            print(
                "  live:      \(live.appends) appends at \(Int(live.achievedRate))/s: P50 \(format(live.p50)) ms, "
                    + "P99 \(format(live.p99)) ms, max \(format(live.max)) ms")
        }
    }

    private func format(_ value: Double) -> String { String(format: "%.3f", value) }
}

/// The table used should a generated name ever fail validation (it cannot: see `makeRunner`).
enum SQLIdentifierFallback {
    static let table: SQLIdentifier = {
        guard let table = try? SQLIdentifier("bench_read_model") else { preconditionFailure("a constant identifier") }
        return table
    }()
}

/// Latencies recorded by concurrent waiters, in seconds.
final class LatencyLog: Sendable {
    let values = Mutex<[Double]>([])
}

extension Duration {
    /// The duration in seconds, as a double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
