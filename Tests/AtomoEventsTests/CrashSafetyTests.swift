import AtomoEvents
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

            let store = try await SQLiteEventStore(path: path)
            var batches: [String: (size: Int, count: Int)] = [:]
            var position: Int64 = 0
            var expectedPosition: Int64 = 1
            while true {
                let page = try await store.readAll(after: position, limit: 10_000)
                guard let last = page.last else { break }
                for event in page {
                    #expect(event.position == expectedPosition, "positions have no gaps after a crash")
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
            #expect(!acks.isEmpty || round > 0, "the writer acknowledged appends before it was killed")
            store.close()
        }
        #expect(acknowledged.count > 50, "enough appends were acknowledged to mean something (\(acknowledged.count))")
    }
}
