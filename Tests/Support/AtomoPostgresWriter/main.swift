// A process that appends to a PostgreSQL event store, for the cross-process test.
//
//     AtomoPostgresWriter <url> <schema> <writer> <tasks> <events-per-task> <max-pause-µs>
//
// Each task appends its events to its own stream `Writer-<writer>_<task>`, one to five at a time,
// pausing a random time between appends. Prints `done <count>` when all are committed.
import AtomoEvents
import AtomoPostgres
import AtomoSQL
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 7, let writer = Int(arguments[3]), let tasks = Int(arguments[4]),
    let perTask = Int(arguments[5]), let maxPause = Int(arguments[6])
else {
    FileHandle.standardError.write(Data("usage: AtomoPostgresWriter url schema writer tasks events-per-task max-pause-µs\n".utf8))
    exit(2)
}

do {
    let store = try await PostgresEventStore(
        url: arguments[1],
        configuration: .init(schema: try SQLIdentifier(arguments[2]), listensForNotifications: false))
    try await withThrowingTaskGroup(of: Void.self) { group in
        for task in 0..<tasks {
            group.addTask {
                let stream = try StreamName("Writer-\(writer)_\(task)")
                var written = 0
                while written < perTask {
                    let count = min(Int.random(in: 1...5), perTask - written)
                    let events = (0..<count).map { offset in
                        EventData(
                            type: "Written",
                            payload: Data(#"{"writer":\#(writer),"task":\#(task),"n":\#(written + offset)}"#.utf8))
                    }
                    try await store.append(events, to: stream, expectedVersion: written == 0 ? .noStream : .exact(Int64(written - 1)))
                    written += count
                    if maxPause > 0 { try await Task.sleep(for: .microseconds(Int.random(in: 0...maxPause))) }
                }
            }
        }
        try await group.waitForAll()
    }
    await store.close()
    print("done \(tasks * perTask)")
} catch {
    FileHandle.standardError.write(Data("AtomoPostgresWriter failed: \(error)\n".utf8))
    exit(1)
}

// Leave at once once the report is out: no lingering thread may keep this helper alive.
exit(0)
