import AtomoEvents
import AtomoProjection
import AtomoSQL
import Foundation
import Synchronization

/// The checks of ``ProjectionConformance``.
enum ProjectionChecks {
    static let all: [ProjectionConformance.Check] = [
        check("checkpointStore") { backend in
            let checkpoints = SQLCheckpointStore(database: backend.database)
            try await checkpoints.createTables()
            let (a, b) = (uniqueName("cp_a"), uniqueName("cp_b"))
            try expectEqual(try await checkpoints.load(a), 0, "a missing checkpoint")
            try await checkpoints.save(a, position: 5)
            try await checkpoints.save(b, position: 7)
            try expectEqual(try await checkpoints.load(a), 5)
            try expectEqual(try await checkpoints.load(b), 7)
            try await backend.database.writeTransaction { connection in
                try SQLCheckpointStore.advance(a, from: 5, to: 9, in: connection)
            }
            var conflict: ProjectionError?
            do {
                try await backend.database.writeTransaction { connection in
                    try SQLCheckpointStore.advance(a, from: 5, to: 12, in: connection)
                }
            } catch let error as ProjectionError {
                conflict = error
            }
            try expectEqual(conflict, .checkpointConflict(name: a, expected: 5, actual: 9), "a stale advance")
            try expectEqual(try await checkpoints.load(a), 9)
            // A missing row counts as 0, once.
            let fresh = uniqueName("cp_fresh")
            try await backend.database.writeTransaction { connection in
                try SQLCheckpointStore.advance(fresh, from: 0, to: 4, in: connection)
            }
            var second: ProjectionError?
            do {
                try await backend.database.writeTransaction { connection in
                    try SQLCheckpointStore.advance(fresh, from: 0, to: 6, in: connection)
                }
            } catch let error as ProjectionError {
                second = error
            }
            try expectEqual(second, .checkpointConflict(name: fresh, expected: 0, actual: 4), "a second start from 0")
            let now = Date(timeIntervalSince1970: 1_700_000_000)
            for position in [30, 10, 20] as [Int64] {
                try await checkpoints.recordSkipped(
                    SkippedEvent(
                        projector: a, position: position, eventID: UUID(), eventType: "T", error: "e\(position)",
                        skippedAt: now))
            }
            let skipped = try await checkpoints.skippedEvents(a)
            try expectEqual(skipped.map(\.position), [10, 20, 30])
            try expectEqual(skipped.map(\.error), ["e10", "e20", "e30"])
            try expectEqual(skipped.first?.skippedAt, now)
            try expectEqual(try await checkpoints.skippedEvents(b).count, 0)
        },
        check("exactlyOnceCatchUpThenLive") { backend in
            let projector = CountingProjector(name: uniqueName("count"))
            let appended = try await appendEvents(2_500, to: backend.store, perAppend: 500)
            let head = try await backend.store.headPosition()
            let runner = ProjectionRunner(
                store: backend.store, projector: projector, database: backend.database,
                configuration: .init(batchSize: 300))
            runner.start()
            try await runner.waitUntilCaughtUp(to: head, timeout: .seconds(60))
            try expectEqual(try await projector.count(in: backend.database), Int64(appended))
            var last = head
            for index in 0..<10 {
                last = try await backend.store.append(
                    [EventData(type: "Live", payload: Data("{}".utf8))], to: try StreamName("Live-\(index)")
                ).lastPosition
                try await runner.waitUntilCaughtUp(to: last, timeout: .seconds(10))
                try expectEqual(try await projector.count(in: backend.database), Int64(appended + index + 1), "live")
            }
            await runner.stop()
            try expectEqual(runner.health().checkpoint, last)
            let more = try await appendEvents(5, to: backend.store, perAppend: 5)
            let next = ProjectionRunner(store: backend.store, projector: projector, database: backend.database)
            next.start()
            try await next.waitUntilCaughtUp(to: try await backend.store.headPosition(), timeout: .seconds(30))
            await next.stop()
            try expectEqual(
                try await projector.count(in: backend.database), Int64(appended + 10 + more), "after restart")
        },
        check("filteredProjectorAdvancesPastOtherTypes") { backend in
            let projector = CountingProjector(name: uniqueName("only_b"), eventTypes: ["B"])
            for round in 0..<20 {
                let events = (0..<50).map { index in
                    EventData(type: index % 5 == 0 ? "B" : "A", payload: Data("{}".utf8))
                }
                try await backend.store.append(events, to: try StreamName("Filter-\(round)"))
            }
            let head = try await backend.store.headPosition()
            let runner = ProjectionRunner(
                store: backend.store, projector: projector, database: backend.database,
                configuration: .init(batchSize: 40))
            runner.start()
            try await runner.waitUntilCaughtUp(to: head, timeout: .seconds(30))
            await runner.stop()
            try expectEqual(try await projector.count(in: backend.database), 200)
            try expectEqual(try await SQLCheckpointStore(database: backend.database).load(projector.name), head)
        },
        check("replayTwiceIsIdentical") { backend in
            let table = try SQLIdentifier(uniqueName("latest"))
            let projector = LatestPerStreamProjector(name: table.name, table: table)
            _ = try await appendEvents(3_000, to: backend.store, perAppend: 300)
            let head = try await backend.store.headPosition()
            let runner = ProjectionRunner(
                store: backend.store, projector: projector, database: backend.database,
                configuration: .init(batchSize: 256))
            runner.start()
            try await runner.waitUntilCaughtUp(to: head, timeout: .seconds(60))
            let first = try await dump(table, in: backend.database)
            try expect(!first.isEmpty, "the read model has rows")
            try await runner.rebuild()
            try await runner.waitUntilCaughtUp(to: head, timeout: .seconds(60))
            let second = try await dump(table, in: backend.database)
            try await runner.rebuild()
            try await runner.waitUntilCaughtUp(to: head, timeout: .seconds(60))
            let third = try await dump(table, in: backend.database)
            await runner.stop()
            try expectEqual(second, first, "the second replay")
            try expectEqual(third, first, "the third replay")
        },
        check("failingEventParksThenResumes") { backend in
            let projector = PositionsProjector(name: uniqueName("park"))
            _ = try await appendEvents(600, to: backend.store, perAppend: 100)
            let all = try await backend.store.readAll(after: 0, limit: 600)
            let poison = all[345].position
            projector.failAt.store(poison, ordering: .relaxed)
            let runner = ProjectionRunner(
                store: backend.store, projector: projector, database: backend.database,
                configuration: .init(
                    batchSize: 100,
                    errorPolicy: .retryThenPark(maxAttempts: 3, backoff: .milliseconds(1)...(.milliseconds(5)))))
            runner.start()
            let last = all[all.count - 1].position
            var parked = false
            do {
                try await runner.waitUntilCaughtUp(to: last, timeout: .seconds(30))
            } catch ProjectionError.parked {
                parked = true
            }
            try expect(parked, "the runner parks on the failing event")
            let health = runner.health()
            try expectEqual(health.state, .parked)
            try expectEqual(health.checkpoint, all[344].position, "the checkpoint stops just before the event")
            try expectEqual(health.lastError?.position, poison)
            try expectEqual(health.lastError?.attempts, 3)
            try expectEqual(try await projector.count(in: backend.database), 345)
            projector.failAt.store(-1, ordering: .relaxed)
            runner.resume()
            try await runner.waitUntilCaughtUp(to: last, timeout: .seconds(30))
            await runner.stop()
            try expectEqual(try await projector.count(in: backend.database), 600, "every event once, none skipped")
        },
        check("skipPolicyRecordsThePoisonEvent") { backend in
            let projector = PositionsProjector(name: uniqueName("skip"))
            _ = try await appendEvents(300, to: backend.store, perAppend: 100)
            let all = try await backend.store.readAll(after: 0, limit: 300)
            let poison = all[120].position
            projector.failAt.store(poison, ordering: .relaxed)
            let runner = ProjectionRunner(
                store: backend.store, projector: projector, database: backend.database,
                configuration: .init(
                    batchSize: 64,
                    errorPolicy: .retryThenSkip(maxAttempts: 2, backoff: .milliseconds(1)...(.milliseconds(2)))))
            runner.start()
            try await runner.waitUntilCaughtUp(to: all[all.count - 1].position, timeout: .seconds(30))
            await runner.stop()
            try expectEqual(runner.health().skipped.map(\.position), [poison])
            let recorded = try await SQLCheckpointStore(database: backend.database).skippedEvents(projector.name)
            try expectEqual(recorded.map(\.position), [poison])
            try expectEqual(try await projector.count(in: backend.database), 299)
        },
        check("blueGreenSwap") { backend in
            let view = try SQLIdentifier(uniqueName("bg"))
            _ = try await appendEvents(1_200, to: backend.store, perAppend: 300)
            let head = try await backend.store.headPosition()
            let model = BlueGreenReadModel(
                name: view.name, view: view, store: backend.store, database: backend.database,
                configuration: .init(batchSize: 200)
            ) { table in LatestPerStreamProjector(name: table.name, table: table) }
            try await model.start()
            try await model.runner?.waitUntilCaughtUp(to: head, timeout: .seconds(60))
            let before = try await dump(view, in: backend.database)
            try await model.rebuild(timeout: .seconds(60))
            try expectEqual(model.liveVersion, 2)
            try expectEqual(try await dump(view, in: backend.database), before, "the new version serves the same rows")
            await model.stop()
        },
    ]

    static func check(
        _ name: String, _ body: @escaping @Sendable (ProjectionConformance.Backend) async throws -> Void
    )
        -> ProjectionConformance.Check
    {
        ProjectionConformance.Check(name: name, body: body)
    }

    /// A name no other check (or run) uses: a prefix and random letters.
    static func uniqueName(_ prefix: String) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return prefix + "_" + String((0..<10).map { _ in letters.randomElement() ?? "x" })
    }

    /// Appends `count` events in appends of `perAppend`, to streams `Conformance-<n>`; returns `count`.
    static func appendEvents(_ count: Int, to store: any EventStore, perAppend: Int) async throws -> Int {
        var written = 0
        while written < count {
            let size = min(perAppend, count - written)
            let events = (0..<size).map { offset in
                EventData(type: "Happened", payload: Data(#"{"n":\#(written + offset)}"#.utf8))
            }
            try await store.append(events, to: try StreamName("Conformance-\(written / perAppend % 17)"))
            written += size
        }
        return count
    }

    static func dump(_ table: SQLIdentifier, in database: any SQLDatabase) async throws -> [String] {
        try await database.readTransaction { connection in
            try connection.query("SELECT * FROM \(table.quoted) ORDER BY 1", []).map { row in
                row.values.map { "\($0)" }.joined(separator: "|")
            }
        }
    }
}

/// Counts events with one UPDATE per event.
struct CountingProjector: SQLProjector {
    let name: String
    var eventTypes: Set<String>? = nil

    var table: SQLIdentifier {
        // `name` comes from `uniqueName`: letters, digits and underscores.
        (try? SQLIdentifier(name)) ?? ConformanceTables.fallback
    }

    func createSchema(in connection: any SQLConnection) throws {
        try connection.execute(
            "CREATE TABLE IF NOT EXISTS \(table.quoted) (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)", [])
        try connection.execute("INSERT INTO \(table.quoted) (id, n) VALUES (1, 0) ON CONFLICT (id) DO NOTHING", [])
    }

    func reset(in connection: any SQLConnection) throws {
        try connection.execute("UPDATE \(table.quoted) SET n = 0", [])
    }

    func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
        try connection.executeMany("UPDATE \(table.quoted) SET n = n + 1 WHERE id = 1", events.map { _ in [] })
    }

    func count(in database: any SQLDatabase) async throws -> Int64 {
        let table = self.table
        return try await database.readTransaction { connection in
            try connection.query("SELECT n FROM \(table.quoted) WHERE id = 1", []).first?[0].integer ?? -1
        }
    }
}

/// One row per event position: a duplicate would violate the primary key.
final class PositionsProjector: SQLProjector {
    let name: String
    /// The position that fails, or -1.
    let failAt = Atomic<Int64>(-1)

    init(name: String) { self.name = name }

    var table: SQLIdentifier { (try? SQLIdentifier(name)) ?? ConformanceTables.fallback }

    func createSchema(in connection: any SQLConnection) throws {
        try connection.execute("CREATE TABLE IF NOT EXISTS \(table.quoted) (position BIGINT PRIMARY KEY)", [])
    }

    func reset(in connection: any SQLConnection) throws {
        try connection.execute("DELETE FROM \(table.quoted)", [])
    }

    func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
        let p = connection.dialect.placeholder
        for event in events {
            if event.position == failAt.load(ordering: .relaxed) {
                throw ConformanceFailure(message: "poison event \(event.position)", file: #fileID, line: #line)
            }
            try connection.execute(
                "INSERT INTO \(table.quoted) (position) VALUES (\(p(1)))", [.integer(event.position)])
        }
    }

    func count(in database: any SQLDatabase) async throws -> Int64 {
        let table = self.table
        return try await database.readTransaction { connection in
            try connection.query("SELECT count(*) FROM \(table.quoted)", []).first?[0].integer ?? -1
        }
    }
}

/// The latest payload and event count per stream: an upsert per event.
struct LatestPerStreamProjector: SQLProjector {
    let name: String
    let table: SQLIdentifier

    func createSchema(in connection: any SQLConnection) throws {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS \(table.quoted) (
                stream TEXT PRIMARY KEY, events BIGINT NOT NULL, last_position BIGINT NOT NULL, payload TEXT NOT NULL)
            """, [])
    }

    func reset(in connection: any SQLConnection) throws {
        try connection.execute("DELETE FROM \(table.quoted)", [])
    }

    func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
        let p = connection.dialect.placeholder
        try connection.executeMany(
            """
            INSERT INTO \(table.quoted) (stream, events, last_position, payload) VALUES (\(p(1)), 1, \(p(2)), \(p(3)))
            ON CONFLICT (stream) DO UPDATE SET events = \(table.quoted).events + 1,
                last_position = excluded.last_position, payload = excluded.payload
            """,
            events.map {
                [.text($0.stream.rawValue), .integer($0.position), .text(String(decoding: $0.payload, as: UTF8.self))]
            })
    }
}

enum ConformanceTables {
    /// Never used: every generated name is a valid identifier.
    static let fallback: SQLIdentifier = {
        guard let table = try? SQLIdentifier("atomo_conformance") else { preconditionFailure("a constant identifier") }
        return table
    }()
}
