import ArgumentParser
import AtomoContent
import AtomoEvents
import AtomoSchema
import AtomoSQLite
import Foundation
import Synchronization

/// `atomo-bench content`: create throughput and list-page latency of the content engine on SQLite.
///
/// ```
/// swift run -c release --package-path Benchmarks atomo-bench content --creates 50000 --records 100000 --runs 3
/// ```
struct ContentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "content",
        abstract: "Measure ContentEngine creates per second and filtered, ordered page latency on SQLite.",
        discussion: """
            Each run opens a fresh SQLite file holding the log and the read models. Creates: --concurrency tasks \
            create --creates Contact records between them (name, a unique email, an enum stage, an int score, a \
            list of tags), each call returning only once the read model shows the record (read-your-writes); \
            the figure is records per second over the wall time. Pages: the store is filled to --records \
            contacts, then --queries lists run one after another, each the first 50 contacts of one stage \
            (a quarter of them), newest first (`stage eq X`, ordered by createdAt descending), every other one \
            continuing from the previous page's end cursor; the figures are the median and 99th-percentile \
            latency. Reported: the median of --runs runs.
            """
    )

    @Option(help: "Records to create in the throughput phase.")
    var creates: Int = 50_000

    @Option(help: "Concurrent callers in the throughput phase.")
    var concurrency: Int = 64

    @Option(help: "Records in the store for the page phase.")
    var records: Int = 100_000

    @Option(help: "Page queries to time.")
    var queries: Int = 2_000

    @Option(help: "Runs; medians are reported.")
    var runs: Int = 3

    @Flag(help: "Print one JSON object.")
    var json = false

    static let schema = Schema(
        enums: [EnumType("Stage", ["Lead", "Qualified", "Won", "Lost"])],
        entities: [
            Entity("Contact", fields: [
                Field("name", .string, required: true, validations: [.length(min: 1, max: 200)]),
                Field("email", .email, unique: true),
                Field("stage", .enumeration("Stage"), default: "Lead"),
                Field("score", .int, validations: [.range(min: 0, max: 100)]),
                Field("tags", .list(.string)),
            ])
        ])

    func run() async throws {
        var createRates: [Double] = []
        var p50s: [Double] = []
        var p99s: [Double] = []
        for run in 1...runs {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atomo-bench-content-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let store = try await SQLiteEventStore(path: folder.appendingPathComponent("content.sqlite").path)
            let engine = try ContentEngine(schema: Self.schema, events: store, readModels: store.database)
            try await engine.start()

            let rate = try await createPhase(engine, count: creates, offset: 0)
            createRates.append(rate)
            if records > creates { _ = try await createPhase(engine, count: records - creates, offset: creates) }
            let (p50, p99) = try await pagePhase(engine)
            p50s.append(p50)
            p99s.append(p99)
            if !json {
                print(String(format: "run %d: %.0f creates/s (%d callers); page of 50 among %d: p50 %.2f ms, p99 %.2f ms", run, rate, concurrency, max(records, creates), p50, p99))
            }
            await engine.stop()
            store.close()
        }
        let result: [String: Any] = [
            "createsPerSecond": median(createRates).rounded(), "concurrency": concurrency, "creates": creates,
            "records": max(records, creates), "pageP50Milliseconds": median(p50s), "pageP99Milliseconds": median(p99s), "runs": runs,
        ]
        if json {
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(String(format: "median: %.0f creates/s; page p50 %.2f ms, p99 %.2f ms", median(createRates), median(p50s), median(p99s)))
        }
    }

    private func createPhase(_ engine: ContentEngine, count: Int, offset: Int) async throws -> Double {
        let next = CreateTicket()
        let callers = concurrency
        let principal = Principal(userID: "bench", roles: ["Admin"])
        let stages: [JSONValue] = ["Lead", "Qualified", "Won", "Lost"]
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<callers {
                group.addTask {
                    while true {
                        let index = next.take()
                        guard index < count else { return }
                        let n = offset + index
                        try await engine.create(
                            "Contact",
                            [
                                "name": .string("Contact \(n)"), "email": .string("c\(n)@example.com"), "stage": stages[n % 4],
                                "score": .int(Int64(n % 101)), "tags": ["bench", .string("t\(n % 7)")],
                            ], as: principal)
                    }
                }
            }
            try await group.waitForAll()
        }
        let seconds = (ContinuousClock.now - start).seconds
        return Double(count) / seconds
    }

    private func pagePhase(_ engine: ContentEngine) async throws -> (Double, Double) {
        let stages: [JSONValue] = ["Lead", "Qualified", "Won", "Lost"]
        var latencies: [Double] = []
        latencies.reserveCapacity(queries)
        var cursor: String?
        for index in 0..<queries {
            let query = RecordQuery(
                "Contact", filter: .field("stage", .eq(stages[(index / 2) % 4])), orderBy: [SortKey("createdAt", .descending)],
                page: .first(50, after: index % 2 == 1 ? cursor : nil))
            let start = ContinuousClock.now
            let page = try await engine.list(query, as: .system)
            latencies.append((ContinuousClock.now - start).seconds * 1000)
            guard page.records.count == 50 else { throw ValidationError("a page had \(page.records.count) records") }
            cursor = page.endCursor
        }
        latencies.sort()
        return (latencies[latencies.count / 2], latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))])
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}

/// Hands out create indexes to the concurrent callers.
final class CreateTicket: Sendable {
    private let next = Atomic<Int>(0)
    func take() -> Int { next.add(1, ordering: .relaxed).oldValue }
}
