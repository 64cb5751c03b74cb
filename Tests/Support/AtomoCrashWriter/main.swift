// A test helper: appends to a SQLite event store in a loop until it is killed.
//
// Usage: AtomoCrashWriter <database path> <writer tag>
//
// Four tasks append concurrently (so appends are group-committed): single events, multi-event
// appends to one stream, and multi-stream appends. Every event carries the id of its append
// ("batch") and the append's size in its metadata; after an append is acknowledged, the writer
// prints `ack <batch>` on standard output. Tests SIGKILL this process at random moments and then
// check that every acknowledged append is stored and that no append is stored in part. A task whose
// append fails prints `failed: <error>` on standard error and stops; the process exits once all four
// have stopped (tests run it under a file-size limit to make its writes fail).
import AtomoEvents
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: AtomoCrashWriter <database path> <writer tag>\n".utf8))
    exit(2)
}
let path = arguments[1]
let tag = arguments[2]

func acknowledge(_ batch: UUID) {
    // One write(2) per line, unbuffered: the line is out of the process once this returns.
    FileHandle.standardOutput.write(Data("ack \(batch.uuidString)\n".utf8))
}

func batchEvents(_ count: Int, batch: UUID, size: Int) -> [EventData] {
    (0..<count).map { index in
        EventData(
            type: "Written", payload: Data(#"{"index":\#(index),"padding":"\#(String(repeating: "x", count: 64))"}"#.utf8),
            metadata: EventMetadata(custom: ["batch": batch.uuidString, "size": "\(size)"]))
    }
}

/// Appends in a loop until an append fails.
func appendUntilFailure(to store: SQLiteEventStore, task: Int) async throws {
    var generator = SystemRandomNumberGenerator()
    var round = 0
    while true {
        round += 1
        let batch = UUID()
        let stream = try StreamName("Crash\(task)-\(tag)-\(round % 7)")
        switch Int.random(in: 0..<3, using: &generator) {
        case 0:
            try await store.append(batchEvents(1, batch: batch, size: 1), to: stream)
        case 1:
            let count = Int.random(in: 2...40, using: &generator)
            try await store.append(batchEvents(count, batch: batch, size: count), to: stream)
        default:
            let counts = (0..<3).map { _ in Int.random(in: 1...10, using: &generator) }
            let total = counts.reduce(0, +)
            _ = try await store.append(
                counts.enumerated().map { index, count in
                    StreamAppend(
                        to: try StreamName("Multi\(index)-\(tag)-\(task)-\(round % 5)"),
                        events: batchEvents(count, batch: batch, size: total))
                })
        }
        acknowledge(batch)
    }
}

let store = try await SQLiteEventStore(path: path)
FileHandle.standardError.write(Data("ready\n".utf8))
await withThrowingTaskGroup(of: Void.self) { group in
    for task in 0..<4 {
        group.addTask {
            do {
                try await appendUntilFailure(to: store, task: task)
            } catch {
                FileHandle.standardError.write(Data("failed: \(error)\n".utf8))
            }
        }
    }
}
