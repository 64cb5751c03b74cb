// A test helper: runs a counting projector with its log, read model and checkpoint on PostgreSQL
// until it has caught up with the head, then prints `done <count> <checkpoint>` and exits.
//
//     AtomoPostgresProjectionWorker <url> <schema> <batch size> [--lead <worker id>] [--delay-ms <n>] [--per-batch]
//
// Tests SIGKILL it at random moments of a catch-up and check, after every restart, that the count
// equals the events up to the checkpoint (exactly-once). With `--lead`, the runner first takes the
// projector's PostgreSQL advisory lock (standby until it gets it) and records in `applied_by` how
// many events each worker applied; `--delay-ms` sleeps in every batch, so that a test can kill the
// leader mid-way and watch the standby take over. The count is kept with one UPDATE per event (as
// the SQLite worker does), or with `--per-batch` one `n = n + <batch size>` per batch: a batch
// applied twice or lost shows in the count either way, and a debug build on PostgreSQL manages
// about 2,000 statements per second, too few for a 200,000-event test within a minute.
import AtomoEvents
import AtomoPostgres
import AtomoProjection
import AtomoSQL
import Foundation

/// Counts every event with one UPDATE per event: a duplicate or a lost event shows in the count.
struct CountingProjector: SQLProjector {
    let name = "counter"
    let worker: String
    let delay: Double
    let perBatch: Bool

    func createSchema(in connection: any SQLConnection) throws {
        try connection.execute("CREATE TABLE IF NOT EXISTS event_count (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)", [])
        try connection.execute("INSERT INTO event_count (id, n) VALUES (1, 0) ON CONFLICT (id) DO NOTHING", [])
        try connection.execute("CREATE TABLE IF NOT EXISTS applied_by (worker TEXT PRIMARY KEY, n BIGINT NOT NULL)", [])
    }

    func reset(in connection: any SQLConnection) throws {
        try connection.execute("UPDATE event_count SET n = 0", [])
        try connection.execute("DELETE FROM applied_by", [])
    }

    func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
        if perBatch {
            try connection.execute("UPDATE event_count SET n = n + $1 WHERE id = 1", [.integer(Int64(events.count))])
        } else {
            try connection.executeMany("UPDATE event_count SET n = n + 1 WHERE id = 1", events.map { _ in [] })
        }
        try connection.execute(
            "INSERT INTO applied_by (worker, n) VALUES ($1, $2) ON CONFLICT (worker) DO UPDATE SET n = applied_by.n + excluded.n",
            [.text(worker), .integer(Int64(events.count))])
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 4, let batchSize = Int(arguments[3]) else {
    FileHandle.standardError.write(
        Data("usage: AtomoPostgresProjectionWorker <url> <schema> <batch size> [--lead <id>] [--delay-ms <n>]\n".utf8))
    exit(2)
}
var leaderID: String?
var delayMilliseconds = 0
var perBatch = false
var index = 4
while index < arguments.count {
    switch arguments[index] {
    case "--lead" where index + 1 < arguments.count:
        leaderID = arguments[index + 1]
        index += 1
    case "--delay-ms" where index + 1 < arguments.count:
        delayMilliseconds = Int(arguments[index + 1]) ?? 0
        index += 1
    case "--per-batch": perBatch = true
    default: break
    }
    index += 1
}

do {
    let url = arguments[1]
    let store = try await PostgresEventStore(
        url: url, configuration: .init(schema: try SQLIdentifier(arguments[2]), pollInterval: .milliseconds(200)))
    let database = try store.makeDatabase(threads: 2)
    var configuration = ProjectionRunner.Configuration(batchSize: batchSize)
    if leaderID != nil {
        configuration.leadership = try PostgresProjectionLeadership(url: url, heartbeatInterval: .milliseconds(250))
        configuration.leadershipRetryInterval = .milliseconds(100)
    }
    let projector = CountingProjector(
        worker: leaderID ?? "worker", delay: Double(delayMilliseconds) / 1000, perBatch: perBatch)
    let runner = ProjectionRunner(store: store, projector: projector, database: database, configuration: configuration)
    runner.start()
    FileHandle.standardError.write(Data("ready\n".utf8))
    let head = try await store.headPosition()
    try await runner.waitUntilCaughtUp(to: head)
    await runner.stop()
    let count = try await database.readTransaction { connection in
        try connection.scalar("SELECT n FROM event_count") ?? -1
    }
    print("done \(count) \(runner.health().checkpoint)")
    database.close()
    await store.close()
} catch {
    FileHandle.standardError.write(Data("AtomoPostgresProjectionWorker failed: \(error)\n".utf8))
    exit(1)
}

// Leave at once: the runner, the store and the database are closed above, and nothing else may keep
// this helper alive after its report (a lingering thread would make the test wait forever).
exit(0)
