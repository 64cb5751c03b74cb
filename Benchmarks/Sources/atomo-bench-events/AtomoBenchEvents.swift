import ArgumentParser
import EventsMeasurement

/// `atomo-bench-events`: `atomo-bench events --backend sqlite` on its own.
///
/// The same workload, options and output as `atomo-bench events` on SQLite, in an executable that
/// links only the event store: `Benchmarks/peers/compare events-sqlite` builds it in minutes, where
/// `atomo-bench` also compiles the PostgreSQL, TLS and GraphQL dependencies of its other commands.
///
/// ```
/// swift run -c release --package-path Benchmarks atomo-bench-events --events 100000 --batch 100 --json
/// ```
@main
struct AtomoBenchEvents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atomo-bench-events",
        abstract: "Measure the SQLite event store's throughput: appends, stream reads, global reads, group commit.",
        discussion: """
            The same as `atomo-bench events --backend sqlite`. Each run starts from an empty store. (a) appends \
            --events events in calls of --batch events, one new stream per call, from one task; (b) reads every \
            stream back; (c) reads the whole log with readAllPage in pages of --page events; (d) appends \
            --single-appends one-event appends from one sequential task, then as many from --concurrency \
            concurrent tasks. Figures are events per second, medians of --runs runs.
            """
    )

    @OptionGroup var options: EventsOptions

    func run() async throws {
        try await options.report(backend: "sqlite") { try await options.measureSQLite($0) }
    }
}
