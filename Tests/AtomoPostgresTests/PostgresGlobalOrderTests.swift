import AtomoEvents
import AtomoPostgres
import AtomoSQL
import AtomoTesting
import Foundation
import Logging
import PostgresNIO
import Testing

/// The global order never skips a late commit, and subscribers survive lost notifications.
@Suite(TestEnvironment.postgres.trait)
struct PostgresGlobalOrderTests {
    /// One event appended by hand through the store's function, inside the caller's transaction.
    static func handAppend(_ schema: SQLIdentifier, stream: String, type: String) -> PostgresQuery {
        PostgresQuery(
            unsafeSQL: """
                SELECT first_position FROM \(schema.quoted).atomo_append(
                    ARRAY[$1], ARRAY[split_part($1, '-', 1)], ARRAY[-1]::bigint[], ARRAY[1], ARRAY[1],
                    ARRAY[gen_random_uuid()], ARRAY[$2], ARRAY[1], ARRAY['\\x7b7d'::bytea],
                    ARRAY[NULL]::text[], ARRAY[NULL]::text[], ARRAY[NULL]::text[], ARRAY[NULL]::text[],
                    ARRAY[NULL]::text[], false)
                """,
            binds: {
                var binds = PostgresBindings()
                binds.append(stream)
                binds.append(type)
                return binds
            }())
    }

    @Test(arguments: [true, false])
    func lateCommitIsNeverSkipped(commits: Bool) async throws {
        let store = try await PostgresTestDatabase.store()
        let schema = store.configuration.schema
        try await store.append([event("Before")], to: try StreamName("Early-1"))
        let collector = EventCollector()
        let subscription = store.subscribe(after: 0).collect(into: collector)
        #expect(await collector.wait(for: 1, timeout: .seconds(15)).count == 1)

        try await PostgresTestDatabase.withClient { client in
            try await client.withConnection { connection in
                // A reserves position 2 and stays open.
                try await connection.query("BEGIN", logger: .init(label: "test"))
                var reserved: Int64 = 0
                for try await position in try await connection.query(
                    Self.handAppend(schema, stream: "Late-a", type: "A"), logger: .init(label: "test")
                ).decode(Int64.self) { reserved = position }
                #expect(reserved == 2)

                // B commits position 3.
                let b = try await store.append([event("B")], to: try StreamName("Late-b"))
                #expect(b.firstPosition == 3)

                // Neither the reader nor the subscriber passes A's position while A is open.
                try await Task.sleep(for: .milliseconds(700))
                let page = try await store.readAllPage(after: 1, limit: 10, filter: .all)
                #expect(page.events.isEmpty)
                #expect(page.scannedThrough == 1)
                #expect(try await store.headPosition() == 1)
                #expect(await collector.events.map(\.position) == [1])

                try await connection.query(commits ? "COMMIT" : "ROLLBACK", logger: .init(label: "test"))
            }
        }
        let expected: [Int64] = commits ? [1, 2, 3] : [1, 3]
        // The subscriber resumes within its polling interval as a rule; the budget is what a loaded
        // 2-core debug build meets, and a stalled subscriber never delivers, so it still fails.
        let delivered = await collector.wait(for: expected.count, timeout: .seconds(15))
        #expect(delivered.map(\.position) == expected, "the subscriber resumed after the open transaction ended")
        #expect(try await store.readAll(after: 0).map(\.position) == expected)
        #expect(try await store.headPosition() == 3)
        subscription.cancel()
        await store.close()
        await PostgresTestDatabase.drop(schema)
    }

    @Test func killedListenConnectionFallsBackToPolling() async throws {
        let channel = "atomo_test_\(UInt32.random(in: 0...UInt32.max))"
        let pollInterval = Duration.milliseconds(500)
        var logger = Logger(label: "atomo.test.kill")
        logger.logLevel = ProcessInfo.processInfo.environment["ATOMO_TEST_DEBUG"] != nil ? .debug : .info
        let store = try await PostgresEventStore(
            url: try #require(PostgresTestDatabase.url),
            configuration: .init(
                schema: try PostgresTestDatabase.freshSchema(), pollInterval: pollInterval, notificationChannel: channel),
            logger: logger)
        let schema = store.configuration.schema
        // A second store in the same schema: another process, as far as the subscriber knows.
        let writer = try await PostgresEventStore(
            url: try #require(PostgresTestDatabase.url),
            configuration: .init(schema: schema, listensForNotifications: false, notificationChannel: channel))
        let collector = EventCollector()
        let subscription = store.subscribe(after: 0).collect(into: collector)
        try await writer.append([event("First")], to: try StreamName("Kill-1"))
        #expect(await collector.wait(for: 1, timeout: .seconds(15)).count == 1)
        for _ in 0..<500 where store.listenCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(store.listenCount >= 1)

        let killed = try await PostgresTestDatabase.withClient { client in
            var killed = 0
            for try await done in try await client.query(
                """
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE query LIKE 'LISTEN%' AND query LIKE \("%" + channel + "%")
                """
            ).decode(Bool.self) where done { killed += 1 }
            return killed
        }
        #expect(killed == 1)

        // Every later event arrives, notified or not: never stalled (each within 15 s, a budget a loaded
        // 2-core debug build meets), and about once per polling interval as a rule (the median, with
        // the same allowance for a loaded machine).
        var latencies: [Duration] = []
        for index in 1...10 {
            let appended = ContinuousClock.now
            try await writer.append([event("Later")], to: try StreamName("Kill-1"))
            let events = await collector.wait(for: index + 1, timeout: .seconds(15))
            #expect(events.count == index + 1, "event \(index) never arrived")
            let arrived = await collector.arrival(of: index) ?? .now
            latencies.append(arrived - appended)
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...100)))
        }
        let median = latencies.sorted()[latencies.count / 2]
        #expect(median <= pollInterval * 4 + .seconds(1), "median delivery \(median) is far beyond the polling interval")
        #expect(store.listenCount >= 2, "the listener reconnected")
        subscription.cancel()
        await writer.close()
        await store.close()
        await PostgresTestDatabase.drop(schema)
    }

    @Test(.timeLimit(.minutes(10)))
    func twoWriterProcessesAndASubscriber() async throws {
        let store = try await PostgresTestDatabase.store()
        let schema = store.configuration.schema
        let writers = 2
        let tasks = 4
        let perTask = Int(ProcessInfo.processInfo.environment["ATOMO_CROSS_PROCESS_EVENTS"] ?? "") ?? 5000
        let total = writers * tasks * perTask
        let collector = EventCollector()
        let subscription = store.subscribe(after: 0).collect(into: collector)

        let executable = try #require(writerExecutable(), "AtomoPostgresWriter is built next to the tests")
        let processes = try (0..<writers).map { writer in
            let process = Process()
            process.executableURL = executable
            process.arguments = [
                try #require(PostgresTestDatabase.url), schema.name, "\(writer)", "\(tasks)", "\(perTask)", "2000",
            ]
            try process.run()
            return process
        }
        // Each writer has a time limit: one still running after it is killed and fails the test.
        let deadline = ContinuousClock.now + .seconds(480)
        for process in processes {
            while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                Issue.record("AtomoPostgresWriter \(process.processIdentifier) ran longer than its time limit of 8 minutes; killed")
                while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(process.terminationStatus == 0)
        }
        let events = await collector.wait(for: total, timeout: .seconds(60))
        try await Task.sleep(for: .milliseconds(500))
        let final = await collector.events
        #expect(events.count == total)
        #expect(final.count == total, "no event is delivered twice")
        #expect(Set(final.map(\.id)).count == final.count)
        #expect(zip(final, final.dropFirst()).allSatisfy { $0.position < $1.position }, "in position order")
        var nextVersion: [StreamName: Int64] = [:]
        for event in final {
            #expect(event.streamVersion == nextVersion[event.stream, default: 0])
            nextVersion[event.stream] = event.streamVersion + 1
        }
        #expect(nextVersion.count == writers * tasks)
        #expect(try await store.readAll(after: 0, limit: total + 10).map(\.id) == final.map(\.id))
        subscription.cancel()
        await store.close()
        await PostgresTestDatabase.drop(schema)
    }

    private func writerExecutable() -> URL? {
        var candidates: [URL] = []
        if let argument = CommandLine.arguments.first {
            var url = URL(fileURLWithPath: argument)
            for _ in 0..<4 {
                url = url.deletingLastPathComponent()
                candidates.append(url.appendingPathComponent("AtomoPostgresWriter"))
            }
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("AtomoPostgresWriter"))
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("AtomoPostgresWriter"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}
