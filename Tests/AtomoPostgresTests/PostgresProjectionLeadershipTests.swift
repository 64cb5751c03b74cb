import AtomoEvents
import AtomoPostgres
import AtomoProjection
import AtomoSQL
import AtomoTesting
import Foundation
import PostgresNIO
import Testing

/// `PostgresProjectionLeadership`: one runner per projector across processes, with takeover.
@Suite(
    "Projection leadership on PostgreSQL", TestEnvironment.postgres.trait)
struct PostgresProjectionLeadershipTests {
    @Test("one lease per projector; released or lost, another can take it")
    func leases() async throws {
        let url = try #require(PostgresTestDatabase.url)
        let a = try PostgresProjectionLeadership(url: url, heartbeatInterval: .milliseconds(100))
        let b = try PostgresProjectionLeadership(url: url, heartbeatInterval: .milliseconds(100))
        let projector = "leases_\(UUID().uuidString)"
        let first = try #require(try await a.tryAcquire(projector))
        #expect(first.isHeld)
        #expect(try await b.tryAcquire(projector) == nil, "the lock is taken")
        let other = try #require(try await b.tryAcquire(projector + "_other"), "another projector is free")
        await other.release()
        await first.release()
        #expect(!first.isHeld)
        let second = try #require(try await b.tryAcquire(projector), "a released lease can be taken")

        // Kill the holder's session from outside: the lease notices and reports itself lost.
        let key = ProjectionLockKey.forProjector(projector)
        let split = Int32(truncatingIfNeeded: key >> 32)
        let low = Int32(bitPattern: UInt32(truncatingIfNeeded: key))
        try await PostgresTestDatabase.withClient { client in
            _ = try await client.query(
                """
                SELECT pg_terminate_backend(pid) FROM pg_locks
                WHERE locktype = 'advisory' AND classid::bigint = (\(split)::bigint & 4294967295) AND objid::bigint = (\(low)::bigint & 4294967295) AND granted
                """)
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while second.isHeld && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!second.isHeld, "a lease whose session died is lost")
        let third = try #require(try await a.tryAcquire(projector), "and the lock is free again")
        await third.release()
    }

    @Test("two runner processes: only the leader applies; SIGKILL it and the other finishes, exactly once")
    func takeoverAcrossProcesses() async throws {
        let url = try #require(PostgresTestDatabase.url)
        let schema = try PostgresTestDatabase.freshSchema()
        let store = try await PostgresEventStore(url: url, configuration: .init(schema: schema, listensForNotifications: false))
        let events = 6000
        try await appendCountingEvents(events, to: store, perAppend: 1000)
        let database = try store.makeDatabase(threads: 1)
        defer { database.close() }
        try await createCountingTables(in: database)
        @Sendable func applied() async throws -> [String: Int64] {
            try await database.readTransaction { connection in
                var result: [String: Int64] = [:]
                for row in try connection.query("SELECT worker, n FROM applied_by", []) {
                    if let worker = row[0].text { result[worker] = row[1].integer ?? 0 }
                }
                return result
            }
        }

        // 100 events per batch, 50 ms per batch: the first leader needs over three seconds.
        let first = try PostgresProjectionWorkerProcess(
            url: url, schema: schema, batchSize: 100, extra: ["--lead", "first", "--delay-ms", "50"])
        #expect(await first.waitUntilReady())
        let deadline = ContinuousClock.now + .seconds(30)
        while try await applied()["first", default: 0] == 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let second = try PostgresProjectionWorkerProcess(
            url: url, schema: schema, batchSize: 100, extra: ["--lead", "second", "--delay-ms", "50"])
        #expect(await second.waitUntilReady())
        try await Task.sleep(for: .milliseconds(400))
        let whileLeading = try await applied()
        #expect(whileLeading["first", default: 0] > 0, "the first runner leads")
        #expect(whileLeading["second", default: 0] == 0, "the standby applies nothing while the leader lives")
        #expect(whileLeading["first", default: 0] < Int64(events), "the leader is still mid-way")

        first.kill()
        _ = await first.finish()
        let outcome = await second.finish()
        let printed = outcome.outputText
        #expect(outcome.status == 0 && !outcome.killedBySignal, "the standby takes over and finishes")
        let head = try await store.headPosition()
        #expect(printed.contains("done \(events) \(head)"), "the new leader reports \(printed)")
        let final = try await applied()
        #expect(final["second", default: 0] > 0, "the standby applied the rest")
        let count = try await database.readTransaction { connection in try connection.scalar("SELECT n FROM event_count") }
        #expect(count == Int64(events), "the count equals the number of events")
        #expect(final.values.reduce(0, +) == Int64(events), "each event applied once, by one runner or the other")
        try await store.dropSchemaAndClose()
    }
}
