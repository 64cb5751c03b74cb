import AtomoEvents
import AtomoProjection
import AtomoSQL
import AtomoSQLite
import Foundation
import Synchronization
import Testing

@Suite("Blue/green rebuild")
struct BlueGreenTests {
    @Test("Under concurrent reads, no read sees an empty or partial model")
    func rebuildUnderReads() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("blue-green"))
        defer { store.close() }
        try await Fixtures.appendContacts(30_000, to: store)
        let model = BlueGreenReadModel(
            name: "contacts", view: try SQLIdentifier("contacts"), store: store, database: store.database,
            configuration: .init(batchSize: 500)
        ) { table in ContactsProjector(table: table) }
        try await model.start()
        try await model.runner?.waitUntilCaughtUp(to: 30_000, timeout: .seconds(30))
        #expect(model.liveVersion == 1)
        let expected = try await Fixtures.dump("contacts", in: store.database)
        #expect(expected.count == 450, "contacts whose number ends in 9 only ever get noise")

        let stats = ReadStats()
        let database = store.database
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    while !stats.stopReading.load(ordering: .relaxed) {
                        let (rows, renames) = try await database.read { connection in
                            try connection.transaction(.deferred) {
                                (
                                    try connection.scalarInt64("SELECT count(*) FROM contacts") ?? -1,
                                    try connection.scalarInt64("SELECT sum(renames) FROM contacts") ?? -1
                                )
                            }
                        }
                        stats.reads.add(1, ordering: .relaxed)
                        if rows != 450 || renames != 26_550 {
                            stats.bad.withLock { $0.append("\(rows) rows, \(renames) renames") }
                        }
                    }
                }
            }
            try await model.rebuild(timeout: .seconds(60))
            try await model.rebuild(timeout: .seconds(60))
            try await Task.sleep(for: .milliseconds(20))
            stats.stopReading.store(true, ordering: .relaxed)
            try await group.waitForAll()
        }
        #expect(stats.bad.withLock { $0.count } == 0, "bad reads: \(stats.bad.withLock { Array($0.prefix(5)) })")
        #expect(stats.reads.load(ordering: .relaxed) > 20, "readers ran during the rebuilds")
        #expect(model.liveVersion == 3)
        #expect(try await Fixtures.dump("contacts", in: store.database) == expected)
        let tables = try await store.database.read { connection in
            try connection.scalarInt64(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'contacts_v%'")
        }
        #expect(tables == 1, "old versions are dropped")

        // New events reach the new live version.
        try await store.append(
            [EventData(type: "ContactCreated", payload: Data("{}".utf8))], to: try StreamName("Contact-new"))
        try await model.runner?.waitUntilCaughtUp(to: 30_001, timeout: .seconds(10))
        #expect(try await Fixtures.dump("contacts", in: store.database).count == 451)
        await model.stop()
    }
}

extension BlueGreenTests {
    @Test("With appends during the rebuild, no reader ever sees the model go backwards")
    func rebuildUnderReadsAndAppends() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("blue-green-live"))
        defer { store.close() }
        try await Fixtures.appendContacts(20_000, to: store)
        let model = BlueGreenReadModel(
            name: "contacts", view: try SQLIdentifier("contacts"), store: store, database: store.database,
            configuration: .init(batchSize: 500)
        ) { table in ContactsProjector(table: table) }
        try await model.start()
        try await model.runner?.waitUntilCaughtUp(to: 20_000, timeout: .seconds(30))
        let stats = ReadStats()
        let database = store.database
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    // Each reader's reads are sequential, so each sees a later snapshot than the last.
                    var highest: Int64 = 0
                    while !stats.stopReading.load(ordering: .relaxed) {
                        let applied = try await database.read { connection in
                            try connection.scalarInt64("SELECT count(*) + sum(renames) FROM contacts") ?? -1
                        }
                        stats.reads.add(1, ordering: .relaxed)
                        if applied < highest || applied < 18_000 {
                            stats.bad.withLock { $0.append("\(applied) after \(highest)") }
                        }
                        highest = max(highest, applied)
                    }
                }
            }
            group.addTask {
                var index = 0
                while !stats.stopReading.load(ordering: .relaxed) {
                    try await store.append(
                        [EventData(type: "ContactRenamed", payload: Data("x".utf8))],
                        to: try StreamName("Contact-\(index % 450)"))
                    index += 1
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            try await model.rebuild(timeout: .seconds(60))
            try await Task.sleep(for: .milliseconds(50))
            stats.stopReading.store(true, ordering: .relaxed)
            try await group.waitForAll()
        }
        #expect(stats.bad.withLock { $0.count } == 0, "bad reads: \(stats.bad.withLock { Array($0.prefix(5)) })")
        #expect(stats.reads.load(ordering: .relaxed) > 20)
        #expect(model.liveVersion == 2)
        let head = try await store.headPosition()
        try await model.runner?.waitUntilCaughtUp(to: head, timeout: .seconds(10))
        let applied = try await store.database.read { connection in
            try connection.scalarInt64("SELECT count(*) + sum(renames) FROM contacts") ?? -1
        }
        #expect(applied == head - 2_000, "every contact event exactly once (\(head) events, 2,000 noise)")
        await model.stop()
    }
}

/// What the concurrent readers saw.
final class ReadStats: Sendable {
    let stopReading = Atomic<Bool>(false)
    let reads = Atomic<Int>(0)
    let bad = Mutex<[String]>([])
}
