import ArgumentParser
import AtomoEvents
import AtomoPostgres
import AtomoSQL
import EventsMeasurement
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

    @Option(help: "The PostgreSQL server for --backend postgres (default: $ATOMO_POSTGRES_URL).")
    var url: String?

    @OptionGroup var options: EventsOptions

    func run() async throws {
        switch backend {
        case .sqlite:
            try await options.report(backend: backend.rawValue) { try await options.measureSQLite($0) }
        case .postgres:
            try await options.report(backend: backend.rawValue) { try await measurePostgres($0) }
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
}
