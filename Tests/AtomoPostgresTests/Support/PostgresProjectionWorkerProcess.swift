import AtomoEvents
import AtomoPostgres
import AtomoProjection
import AtomoSQL
import AtomoTesting
import Foundation

/// Starts `AtomoPostgresProjectionWorker` processes (the counting projector on PostgreSQL).
struct PostgresProjectionWorkerProcess {
    static var executableURL: URL {
        let productsDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        let candidates = [
            productsDirectory.appendingPathComponent("AtomoPostgresProjectionWorker"),
            productsDirectory.deletingLastPathComponent().appendingPathComponent("AtomoPostgresProjectionWorker"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("AtomoPostgresProjectionWorker"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    let helper: HelperProcess

    /// Starts a worker.
    init(url: String, schema: SQLIdentifier, batchSize: Int, extra: [String] = []) throws {
        helper = try HelperProcess(
            executable: Self.executableURL, arguments: [url, schema.name, String(batchSize)] + extra)
    }

    /// Whether the worker is still running.
    var isRunning: Bool { helper.isRunning }

    /// Reads stderr until the worker reports `ready` (true) or closes it (false).
    func waitUntilReady() async -> Bool { await helper.waitForErrorOutput(containing: "ready") }

    /// Sends SIGKILL.
    func kill() { helper.send(SIGKILL) }

    /// Waits for the process to exit; returns how it ended and what it printed.
    func finish() async -> HelperProcess.Outcome { await helper.finish() }
}

/// Appends `count` events to a store, `perAppend` at a time, each append to a stream of its own.
func appendCountingEvents(_ count: Int, to store: PostgresEventStore, perAppend: Int) async throws {
    var written = 0
    var append = 0
    while written < count {
        let n = min(perAppend, count - written)
        let events = (0..<n).map { i in EventData(type: "Counted", payload: Data(#"{"n":\#(written + i)}"#.utf8)) }
        try await store.append(events, to: try StreamName("Count-\(append)"), expectedVersion: .noStream)
        written += n
        append += 1
    }
}

/// Creates the worker's tables and the checkpoint tables, so a test can read them even when the
/// first worker is killed before it gets there.
func createCountingTables(in database: PostgresSQLDatabase) async throws {
    try await database.writeTransaction { connection in
        try SQLCheckpointStore.createTables(in: connection)
        try connection.execute("CREATE TABLE IF NOT EXISTS event_count (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)", [])
        try connection.execute("INSERT INTO event_count (id, n) VALUES (1, 0) ON CONFLICT (id) DO NOTHING", [])
        try connection.execute("CREATE TABLE IF NOT EXISTS applied_by (worker TEXT PRIMARY KEY, n BIGINT NOT NULL)", [])
    }
}
