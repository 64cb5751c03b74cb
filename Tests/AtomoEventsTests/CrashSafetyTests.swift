import AtomoEvents
import AtomoSQLite
import AtomoTesting
import Foundation
import Testing

/// Kill a writer process with SIGKILL mid-write, reopen, and check that nothing acknowledged is
/// lost and nothing unacknowledged is half-there.
@Suite("Crash safety")
struct CrashSafetyTests {
    /// The helper executable, built next to the test bundle.
    static var writerURL: URL {
        let productsDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        let candidates = [
            productsDirectory.appendingPathComponent("AtomoCrashWriter"),
            productsDirectory.deletingLastPathComponent().appendingPathComponent("AtomoCrashWriter"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("AtomoCrashWriter"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    @Test("SIGKILL at random moments, 10 times: acknowledged appends survive, none is partial")
    func killAndReopen() async throws {
        let path = TemporaryDirectory.shared.newFile("crash")
        var acknowledged = Set<String>()
        var generator = SystemRandomNumberGenerator()
        for round in 0..<10 {
            let writer = try HelperProcess(executable: Self.writerURL, arguments: [path, "r\(round)"])
            // Let it get going, then kill it at a random moment.
            #expect(await writer.waitForErrorOutput(containing: "ready"), "the writer started")
            try await Task.sleep(for: .milliseconds(Int.random(in: 30...400, using: &generator)))
            writer.send(SIGKILL)
            let outcome = await writer.finish()
            #expect(outcome.killedBySignal, "the writer was killed, not finished")
            let lines = outcome.outputText
            let acks = lines.split(separator: "\n").compactMap { line in
                line.hasPrefix("ack ") ? String(line.dropFirst(4)) : nil
            }
            acknowledged.formUnion(acks)

            try await Self.expectIntact(path: path, acknowledged: acknowledged, round: round)
            #expect(!acks.isEmpty || round > 0, "the writer acknowledged appends before it was killed")
        }
        #expect(acknowledged.count > 50, "enough appends were acknowledged to mean something (\(acknowledged.count))")
    }

    @Test(
        "writes failing mid-run (a file-size limit): acknowledged appends survive, none is partial, the file is intact")
    func writeFailures() async throws {
        let path = TemporaryDirectory.shared.newFile("full")
        // SIGXFSZ ignored, so a write past the limit fails with EFBIG instead of killing the process.
        // `ulimit -f` counts blocks of 512 bytes (dash) or 1,024 (bash): a limit of 4 or 8 MiB, which
        // the WAL or the database reaches within seconds.
        let writer = try HelperProcess(
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: ["-c", #"trap '' XFSZ; ulimit -f 8192; exec "$0" "$@""#, Self.writerURL.path, path, "full"])
        let watchdog = Task {
            try await Task.sleep(for: .seconds(120))
            writer.send(SIGKILL)
        }
        let outcome = await writer.finish()
        watchdog.cancel()
        #expect(
            !outcome.killedBySignal && outcome.status == 0,
            "the writer stopped by itself: \(outcome.errors.suffix(500))")
        let failures = outcome.errors.split(separator: "\n").filter { $0.hasPrefix("failed: ") }
        #expect(failures.count == 4, "each of the four tasks stopped on a failed append: \(failures)")
        #expect(
            failures.allSatisfy { $0.contains("full") || $0.contains("I/O") || $0.contains("storage") },
            "the failures are storage errors: \(failures)")
        let acknowledged = Set(
            outcome.outputText.split(separator: "\n").compactMap { line in
                line.hasPrefix("ack ") ? String(line.dropFirst(4)) : nil
            })
        #expect(acknowledged.count > 50, "appends were acknowledged before the limit (\(acknowledged.count))")
        try await Self.expectIntact(path: path, acknowledged: acknowledged, round: 0)

        // Without the limit, the same file takes appends again.
        let store = try await SQLiteEventStore(path: path)
        defer { store.close() }
        let result = try await store.append(
            [EventData(type: "After", payload: Data("{}".utf8))], to: StreamName("After-1"))
        #expect(try await store.readStream(StreamName("After-1")).map(\.position) == [result.lastPosition])
    }

    /// Reopens the store at `path` and checks that positions have no gaps, every append is stored
    /// whole, every acknowledged one is there, and SQLite finds the file intact.
    static func expectIntact(path: String, acknowledged: Set<String>, round: Int) async throws {
        let store = try await SQLiteEventStore(path: path)
        defer { store.close() }
        var batches: [String: (size: Int, count: Int)] = [:]
        var position: Int64 = 0
        var expectedPosition: Int64 = 1
        while true {
            let page = try await store.readAll(after: position, limit: 10_000)
            guard let last = page.last else { break }
            for event in page {
                #expect(event.position == expectedPosition, "positions have no gaps")
                expectedPosition = event.position + 1
                let batch = event.metadata.custom["batch"] ?? "?"
                let size = Int(event.metadata.custom["size"] ?? "") ?? -1
                batches[batch, default: (size, 0)].count += 1
            }
            position = last.position
        }
        for (batch, tally) in batches {
            #expect(tally.count == tally.size, "append \(batch) is stored whole (\(tally.count) of \(tally.size))")
        }
        let missing = acknowledged.filter { batches[$0] == nil }
        #expect(missing.isEmpty, "round \(round): \(missing.count) acknowledged appends are missing")
        let database = try SQLiteDatabase(path: path)
        defer { database.close() }
        let check = try await database.read { connection in
            let statement = try connection.prepare("PRAGMA integrity_check")
            return try statement.step() ? statement.string(at: 0) : nil
        }
        #expect(check == "ok", "integrity_check: \(check ?? "nil")")
    }
}
