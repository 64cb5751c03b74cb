package import ArgumentParser
import AtomoEvents
import AtomoSQLite
import Foundation

/// The options of the events workload, shared by `atomo-bench events` and `atomo-bench-events`.
package struct EventsOptions: ParsableArguments {
    /// SQLite's `PRAGMA synchronous` for the SQLite store.
    package enum Synchronous: String, ExpressibleByArgument, CaseIterable, Sendable {
        case normal = "NORMAL"
        case full = "FULL"

        /// Accepts `normal` and `full` in any case.
        package init?(argument: String) { self.init(rawValue: argument.uppercased()) }

        /// The store's durability setting of the same name.
        var durability: SQLiteDatabase.Configuration.Durability {
            switch self {
            case .normal: .normal
            case .full: .full
            }
        }
    }

    @Option(help: "Events appended in batches, per run.")
    package var events: Int = 100_000

    @Option(help: "Events per append call (one new stream per call, one transaction).")
    package var batch: Int = 100

    @Option(help: "Concurrent tasks for the single-event append figure.")
    package var concurrency: Int = 64

    @Option(help: "Single-event appends per run, once sequential and once concurrent (default: min(events, 20000)).")
    package var singleAppends: Int?

    @Option(help: "Events per readAllPage call.")
    package var page: Int = 10_000

    @Option(help: "How many times each read (read-stream, read-all) is repeated per run; the median pass counts.")
    package var readPasses: Int = 3

    @Option(
        help: """
            SQLite durability: NORMAL (the store's default: a commit survives a process crash) or FULL \
            (an fsync per commit: it also survives power loss).
            """)
    package var synchronous: Synchronous = .normal

    @Option(help: "The SQLite file (must not exist; removed after each run). Default: a fresh temporary file.")
    package var path: String?

    @Option(help: "Runs; the figures are medians.")
    package var runs: Int = 3

    @Flag(help: "Print one JSON object instead of text.")
    package var json = false

    /// Creates the defaults (ArgumentParser fills in what the command line says).
    package init() {}

    package func validate() throws {
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

    /// The workload these options describe.
    package var plan: EventsWorkloadPlan {
        EventsWorkloadPlan(
            events: events - events % batch, batch: batch, page: page,
            singleAppends: singleAppends ?? max(concurrency, min(events, 20_000)), concurrency: concurrency,
            readPasses: readPasses)
    }

    /// Runs `measure` `runs` times, printing each run unless `json`, then prints the medians.
    package func report(
        backend: String, _ measure: (EventsWorkloadPlan) async throws -> EventsThroughput
    ) async throws {
        let workload = plan
        var samples: [EventsThroughput] = []
        for run in 1...runs {
            let figures = try await measure(workload)
            if !json { print("run \(run)/\(runs): \(figures.summary)") }
            samples.append(figures)
        }
        let median = EventsThroughput.median(of: samples)
        if json {
            print(median.json(backend: backend, plan: workload, runs: runs))
        } else {
            print(median.report(backend: backend, plan: workload, runs: runs))
        }
    }

    /// One run on a fresh SQLite file (`path`, or a temporary one), removed afterwards.
    package func measureSQLite(_ workload: EventsWorkloadPlan) async throws -> EventsThroughput {
        let file =
            path
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("atomo-bench-\(UUID().uuidString).sqlite").path
        guard !FileManager.default.fileExists(atPath: file) else {
            throw ValidationError("\(file) exists; the benchmark needs a path it can create and remove")
        }
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) }
        }
        let store = try await SQLiteEventStore(
            path: file, configuration: .init(database: .init(durability: synchronous.durability)))
        defer { store.close() }
        return try await workload.measure(on: store)
    }
}
