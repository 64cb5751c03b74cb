import AtomoEvents
import AtomoPostgres
import AtomoSQL
import AtomoTesting
import Foundation
import Testing

/// Kill a projection runner whose log, read model and checkpoint are all on PostgreSQL with SIGKILL
/// at random points of a catch-up, five times; after every kill the count equals the events up to
/// the checkpoint, and after the last restart it equals the number of events.
@Suite(
    "Exactly-once on PostgreSQL under SIGKILL", TestEnvironment.postgres.trait)
struct PostgresExactlyOnceTests {
    /// The number of events, as in the SQLite test (about 26 s alone on the project's 2-core machine);
    /// `ATOMO_PG_EXACTLY_ONCE_EVENTS` overrides it, e.g. to lighten a run on a loaded machine.
    static let eventCount =
        ProcessInfo.processInfo.environment["ATOMO_PG_EXACTLY_ONCE_EVENTS"].flatMap { Int($0) } ?? 200_000

    /// How the worker counts: `--per-batch` (one `n = n + <batch size>` per batch, in the batch's
    /// transaction) by default, because one UPDATE per event is one round trip per event, and a
    /// debug build manages about 2,000 a second on PostgreSQL (100,000 events took 55 s on the
    /// project's 2-core machine). `ATOMO_PG_EXACTLY_ONCE_PER_EVENT=1` counts per event.
    static let countArguments =
        ProcessInfo.processInfo.environment["ATOMO_PG_EXACTLY_ONCE_PER_EVENT"] == "1" ? [] : ["--per-batch"]

    @Test("PostgreSQL: killed 5 times during a catch-up, the count is exact")
    func sigkillDuringCatchUp() async throws {
        let url = try #require(PostgresTestDatabase.url)
        let schema = try PostgresTestDatabase.freshSchema()
        let store = try await PostgresEventStore(
            url: url, configuration: .init(schema: schema, listensForNotifications: false))
        let appendStart = ContinuousClock.now
        try await appendCountingEvents(Self.eventCount, to: store, perAppend: 5000)
        print("PostgresExactlyOnceTests: appended \(Self.eventCount) events in \(ContinuousClock.now - appendStart)")
        let head = try await store.headPosition()
        let database = try store.makeDatabase(threads: 1)
        defer { database.close() }
        try await createCountingTables(in: database)

        var generator = SystemRandomNumberGenerator()
        var killedMidway = 0
        for round in 0..<6 {
            let roundStart = ContinuousClock.now
            let worker = try PostgresProjectionWorkerProcess(
                url: url, schema: schema, batchSize: 500, extra: Self.countArguments)
            #expect(await worker.waitUntilReady(), "the worker started")
            if round < 5 {
                // Kill at a random point of what is left, found by watching the stored checkpoint, so
                // that the kills land mid-catch-up however fast the catch-up is on this machine.
                let start = try await Self.checkpoint(in: database)
                let target = start + Int64(Double(head - start) * Double.random(in: 0.05...0.8, using: &generator))
                while worker.isRunning, try await Self.checkpoint(in: database) < target {
                    try await Task.sleep(for: .milliseconds(2))
                }
                worker.kill()
            }
            let outcome = await worker.finish()
            let printed = outcome.outputText
            let (count, checkpoint, applied) = try await database.readTransaction { connection in
                let checkpoint =
                    try connection.scalar("SELECT position FROM atomo_projection_checkpoints WHERE name = 'counter'") ?? 0
                return (
                    try connection.scalar("SELECT n FROM event_count") ?? 0, checkpoint,
                    try connection.scalar("SELECT count(*) FROM atomo_events WHERE position <= $1", [.integer(checkpoint)])
                        ?? -1
                )
            }
            print("PostgresExactlyOnceTests: round \(round) ran \(ContinuousClock.now - roundStart), checkpoint \(checkpoint)")
            #expect(count == applied, "round \(round): the count (\(count)) equals the events up to the checkpoint (\(applied))")
            if round < 5 {
                if outcome.killedBySignal && checkpoint < head { killedMidway += 1 }
            } else {
                #expect(outcome.status == 0 && !outcome.killedBySignal, "the last run finishes")
                #expect(printed.contains("done \(Self.eventCount) \(head)"), "the last run reports \(printed)")
                #expect(count == Int64(Self.eventCount))
                #expect(checkpoint == head, "the checkpoint is the head")
            }
        }
        #expect(killedMidway >= 3, "most kills landed mid-catch-up (\(killedMidway) of 5)")
        try await store.dropSchemaAndClose()
    }

    /// The counter's stored checkpoint (0 before its first batch).
    static func checkpoint(in database: PostgresSQLDatabase) async throws -> Int64 {
        try await database.readTransaction { connection in
            try connection.scalar("SELECT position FROM atomo_projection_checkpoints WHERE name = 'counter'") ?? 0
        }
    }
}
