import AtomoEvents
import AtomoProjection
import AtomoSQLite
import AtomoTesting
import Foundation
import Testing

/// Kill a projection runner with SIGKILL at random points of a 200,000-event catch-up, five times,
/// each after the round has applied events; after every kill the read model's count equals its
/// checkpoint, and after the last restart it equals the number of events.
@Suite("Exactly-once under SIGKILL")
struct ExactlyOnceTests {
    static var workerURL: URL {
        let productsDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        let candidates = [
            productsDirectory.appendingPathComponent("AtomoProjectionWorker"),
            productsDirectory.deletingLastPathComponent().appendingPathComponent("AtomoProjectionWorker"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("AtomoProjectionWorker"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    static let eventCount = 200_000

    @Test("SQLite: killed 5 times during a 200,000-event catch-up, the count is exact")
    func sigkillDuringCatchUp() async throws {
        let path = TemporaryDirectory.shared.newFile("exactly-once")
        do {
            let store = try await SQLiteEventStore(path: path)
            try await Fixtures.appendContacts(Self.eventCount, to: store, perAppend: 5000)
            #expect(try await store.headPosition() == Int64(Self.eventCount))
            store.close()
        }
        var generator = SystemRandomNumberGenerator()
        // Only a kill after the worker applied something in its round, and before it finished,
        // tests exactly-once across a crash: a round killed before its runner committed a batch
        // proves nothing, so it is not counted, and each kill waits for progress first.
        var progressedKills = 0
        var previousCheckpoint: Int64 = 0
        for round in 0..<6 {
            let worker = try HelperProcess(executable: Self.workerURL, arguments: [path, "500"])
            #expect(await worker.waitForErrorOutput(containing: "ready"), "the worker started")
            if round < 5 {
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...(60 + 60 * round), using: &generator)))
                let patience = ContinuousClock.now + .seconds(30)
                while try await Self.countAndCheckpoint(path).checkpoint <= previousCheckpoint,
                    ContinuousClock.now < patience
                {
                    try await Task.sleep(for: .milliseconds(10))
                }
                worker.send(SIGKILL)
            }
            let outcome = await worker.finish()
            let printed = outcome.outputText
            let (count, checkpoint) = try await Self.countAndCheckpoint(path)
            // Positions are gapless from 1, so the checkpoint is the number of events applied.
            #expect(count == checkpoint, "round \(round): the count (\(count)) equals the checkpoint (\(checkpoint))")
            if round < 5 {
                if outcome.killedBySignal && checkpoint > previousCheckpoint && checkpoint < Int64(Self.eventCount) {
                    progressedKills += 1
                }
            } else {
                #expect(outcome.status == 0 && !outcome.killedBySignal, "the last run finishes")
                #expect(
                    printed.contains("done \(Self.eventCount) \(Self.eventCount)"), "the last run reports \(printed)")
                #expect(count == Int64(Self.eventCount))
                #expect(checkpoint == Int64(Self.eventCount), "the checkpoint is the head")
            }
            previousCheckpoint = checkpoint
        }
        #expect(
            progressedKills >= 3,
            "at least 3 of 5 kills landed mid-catch-up after the round applied events (\(progressedKills))")
    }

    /// The read model's count and the stored checkpoint (0 and 0 before the worker made its tables).
    static func countAndCheckpoint(_ path: String) async throws -> (count: Int64, checkpoint: Int64) {
        let database = try SQLiteDatabase(path: path)
        defer { database.close() }
        return try await database.read { connection in
            // A worker killed before its runner made its tables leaves none: nothing applied.
            func exists(_ table: String) throws -> Bool {
                try connection.scalarInt64(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '\(table)'") == 1
            }
            return (
                try exists("event_count") ? try connection.scalarInt64("SELECT n FROM event_count") ?? 0 : 0,
                try exists("atomo_projection_checkpoints")
                    ? try connection.scalarInt64(
                        "SELECT position FROM atomo_projection_checkpoints WHERE name = 'counter'") ?? 0 : 0
            )
        }
    }
}
