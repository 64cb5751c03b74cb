import ArgumentParser
import AtomoPostgres
import Foundation

/// `atomo-bench events-postgres`: the PostgreSQL event store's figures (to be folded into
/// `atomo-bench events --backend postgres`).
///
/// ```
/// swift run -c release --package-path Benchmarks atomo-bench events-postgres --url "$ATOMO_POSTGRES_URL" --json
/// ```
struct PostgresEventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events-postgres",
        abstract: "Measure the PostgreSQL event store: appends from one and from many tasks, read-all.")

    /// How appends order the log.
    enum Ordering: String, ExpressibleByArgument, CaseIterable {
        case snapshot
        case serialised
    }

    @Option(help: "The server (default: $ATOMO_POSTGRES_URL).")
    var url: String?

    @Option(help: "Events appended per phase, per run.")
    var events: Int = 100_000

    @Option(help: "Events per append call (one new stream per call, one transaction).")
    var batch: Int = 100

    @Option(help: "Concurrent tasks for the concurrent append figure.")
    var concurrency: Int = 8

    @Option(help: "Writer ordering: snapshot (default) or serialised.")
    var ordering: Ordering = .snapshot

    @Option(help: "Runs; the figures are medians.")
    var runs: Int = 3

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() async throws {
        guard let url = url ?? ProcessInfo.processInfo.environment["ATOMO_POSTGRES_URL"] else {
            throw ValidationError("pass --url or set ATOMO_POSTGRES_URL (eval \"$(scripts/start-postgres)\" starts a server)")
        }
        var samples: [PostgresEventsFigures] = []
        for _ in 0..<runs {
            samples.append(
                try await runPostgresEventsBenchmark(
                    url: url, events: events, batch: batch, concurrency: concurrency,
                    writerOrdering: ordering == .snapshot ? .snapshotFiltering : .serialisedWriters))
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let figures = PostgresEventsFigures(
            appendsPerSecond: median(samples.map(\.appendsPerSecond)),
            concurrentAppendsPerSecond: median(samples.map(\.concurrentAppendsPerSecond)),
            readAllPerSecond: median(samples.map(\.readAllPerSecond)))
        if json {
            let object: [String: Any] = [
                "backend": "postgres", "ordering": ordering.rawValue, "events": events, "batch": batch,
                "concurrency": concurrency, "runs": runs,
                "appendEventsPerSecond": Int(figures.appendsPerSecond),
                "concurrentAppendEventsPerSecond": Int(figures.concurrentAppendsPerSecond),
                "readAllEventsPerSecond": Int(figures.readAllPerSecond),
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("PostgreSQL event store (\(ordering.rawValue)), \(events) events, \(batch) per append, medians of \(runs):")
            print("  appends, 1 task:          \(Int(figures.appendsPerSecond)) events/s")
            print("  appends, \(concurrency) tasks:         \(Int(figures.concurrentAppendsPerSecond)) events/s")
            print("  read-all:                 \(Int(figures.readAllPerSecond)) events/s")
        }
    }
}
