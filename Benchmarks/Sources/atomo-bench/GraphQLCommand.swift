import ArgumentParser
import AtomoContent
import AtomoEvents
import AtomoGraphQL
import AtomoSchema
import Foundation
import Synchronization

/// `atomo-bench graphql`: in-process GraphQL throughput on a page of 50 contacts with their company
/// and notes, and how the time splits between GraphQL and the read-model queries underneath.
///
/// ```
/// swift run -c release --package-path Benchmarks atomo-bench graphql --seconds 5 --runs 3
/// swift run -c release --package-path Benchmarks atomo-bench graphql --executor reference --seconds 3 --runs 1
/// ```
struct GraphQLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graphql",
        abstract:
            "Measure in-process GraphQL requests per second and the GraphQL overhead over the read-model queries.",
        discussion: """
            Seeds a fresh SQLite store with --companies companies and --contacts contacts (each with a company and two \
            notes blocks), then runs the request `contacts(first: 50) { edges { node { id name email company { id name } \
            notes { … } } } }` (with --order-by name: `orderBy: [{ name: ASC }]`) through GraphQLService.execute from --concurrency tasks for --seconds, --runs times; the \
            figure is the median requests per second. The read-model baseline runs the same engine calls the planned \
            executor makes (one list of 50 with its companies included, in one read transaction) in the same way, so \
            GraphQL overhead = time per request − read-model time per request.
            """
    )

    enum Executor: String, ExpressibleByArgument, CaseIterable {
        case planned
        case reference
    }

    @Option(help: "Companies to seed.")
    var companies: Int = 20

    @Option(help: "Contacts to seed.")
    var contacts: Int = 1_000

    @Option(help: "Concurrent requesting tasks (default: the number of cores).")
    var concurrency: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Seconds per run.")
    var seconds: Double = 5

    @Option(help: "Runs; the figures are medians.")
    var runs: Int = 3

    @Option(help: "planned (Atomo's executor) or reference (the GraphQL library's, with Atomo's resolvers).")
    var executor: Executor = .planned

    @Option(
        help:
            "id: the default order, by id (the primary key), the request as the issue states it; name: ordered by name (indexed, unless --unindexed-name)."
    )
    var orderBy: Order = .id

    @Option(
        help:
            "Records the engine keeps decoded (ContentEngine.Configuration.recordCacheCapacity); 0 decodes every row of every request."
    )
    var recordCache = ContentEngine.Configuration().recordCacheCapacity

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(
        help:
            "Declare no index on the contacts' name (by default it is `indexed`): every request ordered by name then sorts the table."
    )
    var unindexedName = false

    @Flag(help: "Skip the read-model baseline (to profile the GraphQL requests alone).")
    var skipReadModels = false

    enum Order: String, ExpressibleByArgument, CaseIterable {
        case name
        case id
    }

    /// The request: a page of 50 contacts with their company and notes.
    static func query(orderBy: Order) -> String {
        let arguments = orderBy == .name ? "first: 50, orderBy: [{ name: ASC }]" : "first: 50"
        return """
            query Page { contacts(\(arguments)) { edges { node {
              id name email company { id name }
              notes { __typename ... on Paragraph { text } ... on CallLog { at summary } } } } } }
            """
    }

    /// The schema: contacts' `name` is declared `indexed` unless `indexedName` is false.
    static func schema(indexedName: Bool) -> Schema {
        Schema(
            blocks: [
                BlockUnion(
                    "Block",
                    [
                        BlockType("Paragraph", [Field("text", .text, required: true)]),
                        BlockType(
                            "CallLog",
                            [Field("at", .datetime, required: true), Field("summary", .string, required: true)]),
                    ])
            ],
            entities: [
                Entity("Company", fields: [Field("name", .string, required: true), Field("industry", .string)]),
                Entity(
                    "Contact",
                    fields: [
                        Field("name", .string, required: true, indexed: indexedName), Field("email", .email),
                        Field("company", .reference("Company")), Field("notes", .blocks("Block")),
                    ]),
            ])
    }

    func run() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "atomo-bench-graphql-\(UUID().uuidString).sqlite"
        ).path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try await SQLiteEventStore(path: path)
        let engine = try ContentEngine(
            schema: Self.schema(indexedName: !unindexedName), events: store, readModels: store.database,
            configuration: .init(recordCacheCapacity: recordCache))
        try await engine.start()
        var companyIDs: [String] = []
        for index in 0..<companies {
            companyIDs.append(try await engine.create("Company", ["name": .string("Company \(index)")], as: .system).id)
        }
        for index in 0..<contacts {
            _ = try await engine.create(
                "Contact",
                [
                    "name": .string("Contact \(index)"), "email": .string("c\(index)@example.com"),
                    "company": .string(companyIDs[index % companyIDs.count]),
                    "notes": [
                        ["type": "Paragraph", "text": "Met at the fair and talked about the pilot."],
                        ["type": "CallLog", "at": "2026-11-29T10:15:00.000Z", "summary": "Intro call"],
                    ],
                ], as: .system)
        }
        let service = GraphQLService(engine: engine, executor: executor == .planned ? .planned : .reference)
        let request = GraphQLRequest(query: Self.query(orderBy: orderBy))
        let sortKeys = orderBy == .name ? [SortKey("name")] : []

        // Check the response once before measuring.
        let check = await service.execute(request, as: .system)
        let body = String(decoding: check.body, as: UTF8.self)
        guard check.hasData, !body.contains("\"errors\""), body.components(separatedBy: "\"company\":{").count == 51
        else {
            throw ValidationError("unexpected response: \(body.prefix(500))")
        }

        var graphQLRates: [Double] = []
        var readModelRates: [Double] = []
        // Process CPU time per request (all threads): steadier than the rates on a shared machine.
        var graphQLCPU: [Double] = []
        var readModelCPU: [Double] = []
        var queriesPerRequest = 0.0
        for _ in 0..<runs {
            let before = engine.readModelQueryCount
            var cpuBefore = processCPUSeconds()
            let (count, elapsed) = await Self.measure(concurrency: concurrency, seconds: seconds) {
                _ = await service.execute(request, as: .system)
            }
            graphQLCPU.append((processCPUSeconds() - cpuBefore) * 1_000_000 / Double(max(count, 1)))
            queriesPerRequest = Double(engine.readModelQueryCount - before) / Double(max(count, 1))
            graphQLRates.append(Double(count) / elapsed)
            if skipReadModels { continue }
            cpuBefore = processCPUSeconds()
            let (baseCount, baseElapsed) = await Self.measure(concurrency: concurrency, seconds: seconds) {
                // What the planned executor asks: the page with its companies, in one read
                // transaction, cursors for the first and last record only.
                _ = try? await engine.list(
                    RecordQuery(
                        "Contact", orderBy: sortKeys, page: .first(50), includeReferences: ["company"],
                        includeRecordCursors: false),
                    as: .system)
            }
            readModelRates.append(Double(baseCount) / baseElapsed)
            readModelCPU.append((processCPUSeconds() - cpuBefore) * 1_000_000 / Double(max(baseCount, 1)))
        }
        await engine.stop()
        store.close()

        let rate = Self.median(graphQLRates)
        let baseRate = Self.median(readModelRates)
        let perRequest = 1_000_000 / rate
        let perReadModel = 1_000_000 / baseRate
        let overhead = perRequest - perReadModel
        if json {
            let object: [String: Any] = [
                "executor": executor.rawValue, "orderBy": orderBy.rawValue, "recordCache": recordCache, "nameIndexed": !unindexedName,
                "concurrency": concurrency, "runs": runs, "seconds": seconds,
                "requestsPerSecond": rate, "readModelRequestsPerSecond": baseRate, "microsecondsPerRequest": perRequest,
                "readModelMicrosecondsPerRequest": perReadModel, "graphQLOverheadMicroseconds": overhead,
                "overheadRatio": overhead / perReadModel, "readModelQueriesPerRequest": queriesPerRequest,
                "allRuns": graphQLRates, "cpuMicrosecondsPerRequest": Self.median(graphQLCPU),
                "readModelCPUMicrosecondsPerRequest": Self.median(readModelCPU),
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(
                "executor \(executor.rawValue), order by \(orderBy.rawValue), \(concurrency) tasks, \(runs) × \(seconds) s, record cache \(recordCache)\(unindexedName ? ", name not indexed" : "")"
            )
            print(
                String(
                    format: "GraphQL:        %8.0f requests/s  (%.1f µs per request; runs: %@)", rate, perRequest,
                    graphQLRates.map { String(format: "%.0f", $0) }.joined(separator: ", ")))
            if skipReadModels {
                print(String(format: "process CPU per request: %.1f µs", Self.median(graphQLCPU)))
            } else {
                print(
                    String(
                        format:
                            "read models:    %8.0f requests/s  (%.1f µs per request, the same queries without GraphQL)",
                        baseRate, perReadModel))
                print(
                    String(
                        format: "GraphQL overhead: %.1f µs per request = %.2f× the read-model time (total %.2f×)",
                        overhead, overhead / perReadModel, perRequest / perReadModel))
                print(
                    String(
                        format: "process CPU per request: %.1f µs GraphQL, %.1f µs read models (%.2f×)",
                        Self.median(graphQLCPU), Self.median(readModelCPU),
                        Self.median(graphQLCPU) / max(Self.median(readModelCPU), 0.001)))
            }
            print(String(format: "read-model queries per request: %.2f", queriesPerRequest))
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Runs `body` from `concurrency` tasks for `seconds`; returns how many calls finished and the time taken.
    static func measure(
        concurrency: Int, seconds: Double, _ body: @escaping @Sendable () async -> Void
    ) async -> (Int, Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start.advanced(by: .milliseconds(Int(seconds * 1000)))
        let total = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<max(1, concurrency) {
                group.addTask {
                    var count = 0
                    while clock.now < deadline {
                        await body()
                        count += 1
                    }
                    return count
                }
            }
            var sum = 0
            for await count in group { sum += count }
            return sum
        }
        let elapsed = clock.now - start
        return (total, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
