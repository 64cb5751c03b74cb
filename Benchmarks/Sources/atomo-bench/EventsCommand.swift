import ArgumentParser
import AtomoEvents
import AtomoPostgres
import AtomoSQL
import Foundation

/// `atomo-bench events`: append, read-stream, read-all and group-commit throughput of an event store.
///
/// ```
/// swift run -c release --package-path Benchmarks atomo-bench events --backend sqlite --events 100000 --batch 100 --json
/// ```
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Measure event store throughput: appends, stream reads, global reads, group commit.",
        discussion: """
            Each run starts from an empty store. (a) appends --events events in calls of --batch events, one new \
            stream per call, from one task; (b) reads every stream back; (c) reads the whole log with readAllPage \
            in pages of --page events; (d) appends --single-appends one-event appends from one sequential task, \
            then as many from --concurrency concurrent tasks. Figures are events per second, medians of --runs runs.
            """
    )

    /// The event store implementation to measure.
    enum Backend: String, ExpressibleByArgument, CaseIterable {
        case sqlite
        case postgres
    }

    @Option(help: "The event store: \(Backend.allCases.map(\.rawValue).joined(separator: ", ")).")
    var backend: Backend = .sqlite

    @Option(help: "Events appended in batches, per run.")
    var events: Int = 100_000

    @Option(help: "Events per append call (one new stream per call, one transaction).")
    var batch: Int = 100

    @Option(help: "Concurrent tasks for the single-event append figure.")
    var concurrency: Int = 64

    @Option(help: "Single-event appends per run, once sequential and once concurrent (default: min(events, 20000)).")
    var singleAppends: Int?

    @Option(help: "Events per readAllPage call.")
    var page: Int = 10_000

    @Option(help: "How many times each read (read-stream, read-all) is repeated per run; the median pass counts.")
    var readPasses: Int = 3

    @Option(help: "The PostgreSQL server for --backend postgres (default: $ATOMO_POSTGRES_URL).")
    var url: String?

    @Option(help: "The SQLite file (must not exist; removed after each run). Default: a fresh temporary file.")
    var path: String?

    @Option(help: "Runs; the figures are medians.")
    var runs: Int = 3

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard events > 0, batch > 0, events >= batch else {
            throw ValidationError("--events and --batch must be positive, with --events >= --batch")
        }
        guard concurrency > 0, runs > 0, page > 0, readPasses > 0 else {
            throw ValidationError("--concurrency, --runs, --page and --read-passes must be positive")
        }
        if let singleAppends, singleAppends < concurrency {
            throw ValidationError("--single-appends must be at least --concurrency")
        }
    }

    func run() async throws {
        let workload = EventsWorkloadPlan(
            events: events - events % batch, batch: batch, page: page,
            singleAppends: singleAppends ?? max(concurrency, min(events, 20_000)), concurrency: concurrency,
            readPasses: readPasses)
        var samples: [EventsThroughput] = []
        for run in 1...runs {
            let figures: EventsThroughput
            switch backend {
            case .sqlite:
                figures = try await measureSQLite(workload)
            case .postgres:
                figures = try await measurePostgres(workload)
            }
            if !json { print("run \(run)/\(runs): \(figures.summary)") }
            samples.append(figures)
        }
        let median = EventsThroughput.median(of: samples)
        if json {
            print(median.json(backend: backend.rawValue, plan: workload, runs: runs))
        } else {
            print(median.report(backend: backend.rawValue, plan: workload, runs: runs))
        }
    }

    /// One run in a fresh schema of the PostgreSQL server at `--url`, dropped afterwards.
    private func measurePostgres(_ workload: EventsWorkloadPlan) async throws -> EventsThroughput {
        guard let url = url ?? ProcessInfo.processInfo.environment["ATOMO_POSTGRES_URL"] else {
            throw ValidationError(
                "--backend postgres needs --url or ATOMO_POSTGRES_URL (eval \"$(scripts/start-postgres)\" starts a server)")
        }
        let schema = try SQLIdentifier("bench_\(UInt32.random(in: 0...UInt32.max))")
        let store = try await PostgresEventStore(url: url, configuration: .init(schema: schema))
        do {
            let figures = try await workload.measure(on: store)
            try await store.dropSchemaAndClose()
            return figures
        } catch {
            try? await store.dropSchemaAndClose()
            throw error
        }
    }

    /// One run on a fresh SQLite file.
    private func measureSQLite(_ workload: EventsWorkloadPlan) async throws -> EventsThroughput {
        let file = path ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("atomo-bench-\(UUID().uuidString).sqlite").path
        guard !FileManager.default.fileExists(atPath: file) else {
            throw ValidationError("\(file) exists; the benchmark needs a path it can create and remove")
        }
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        }
        let store = try await SQLiteEventStore(path: file)
        defer { store.close() }
        return try await workload.measure(on: store)
    }
}
