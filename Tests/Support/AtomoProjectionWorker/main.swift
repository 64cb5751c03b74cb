// A test helper: runs a counting projector over a SQLite event store until it has caught up with
// the head, then prints `done <count> <checkpoint>` and exits. Tests SIGKILL it at random moments
// during the catch-up and check, after every restart, that the count equals the checkpoint
// (exactly-once) and finally the number of events.
//
// Usage: AtomoProjectionWorker <database path> <batch size>
import AtomoEvents
import AtomoProjection
import AtomoSQL
import AtomoSQLite
import Foundation

/// Counts every event with one UPDATE per event: a duplicate or a lost event shows in the count.
struct CountingProjector: SQLProjector {
    let name = "counter"

    func createSchema(in connection: any SQLConnection) throws {
        try connection.execute(
            "CREATE TABLE IF NOT EXISTS event_count (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)", [])
        try connection.execute("INSERT INTO event_count (id, n) VALUES (1, 0) ON CONFLICT (id) DO NOTHING", [])
    }

    func reset(in connection: any SQLConnection) throws {
        try connection.execute("UPDATE event_count SET n = 0", [])
    }

    func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
        try connection.executeMany("UPDATE event_count SET n = n + 1 WHERE id = 1", events.map { _ in [] })
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let batchSize = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: AtomoProjectionWorker <database path> <batch size>\n".utf8))
    exit(2)
}
let store = try await SQLiteEventStore(path: arguments[1])
let runner = ProjectionRunner(
    store: store, projector: CountingProjector(), database: store.database,
    configuration: .init(batchSize: batchSize))
runner.start()
FileHandle.standardError.write(Data("ready\n".utf8))
let head = try await store.headPosition()
try await runner.waitUntilCaughtUp(to: head)
await runner.stop()
let count = try await store.database.read { connection in try connection.scalarInt64("SELECT n FROM event_count") ?? -1
}
print("done \(count) \(runner.health().checkpoint)")

// Leave at once once the report is out: no lingering thread may keep this helper alive.
exit(0)
