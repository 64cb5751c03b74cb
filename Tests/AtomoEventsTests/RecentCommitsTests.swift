@testable import AtomoEvents
import AtomoSQLite
import AtomoTesting
import Foundation
import Testing

/// The SQLite store serves global-order reads that start among its last commits from memory
/// (``SQLiteEventStore/Configuration/recentEventCapacity``). These tests compare every such page with
/// the same page read from the database, by a second store on the same database that keeps nothing.
@Suite("SQLite store: pages served from recent commits")
struct RecentCommitsTests {
    /// A store that keeps recent commits and one on the same database that reads every page from it.
    static func stores(
        _ name: String, capacity: Int = 4096, bytes: Int = 8 << 20, upcasters: [Upcaster] = []
    ) async throws -> (kept: SQLiteEventStore, database: SQLiteEventStore) {
        let path = TemporaryDirectory.shared.newFile(name)
        let kept = try await SQLiteEventStore(
            path: path, configuration: .init(upcasters: upcasters, recentEventCapacity: capacity, recentEventBytes: bytes))
        let fromDatabase = try await SQLiteEventStore(
            database: kept.database, configuration: .init(upcasters: upcasters, recentEventCapacity: 0))
        return (kept, fromDatabase)
    }

    static let filters: [EventFilter] = [
        .all, EventFilter(eventTypes: ["Opened"]), .category("Account"), .category("Ledger"), .tenant("acme"),
        EventFilter(eventTypes: ["Opened", "Moved"], categories: ["Account", "Ledger"], tenant: "acme"),
        EventFilter(eventTypes: ["Missing"]),
    ]

    /// Every page after every position up to the head, with several limits and filters, read both ways.
    static func expectSamePages(_ kept: SQLiteEventStore, _ database: SQLiteEventStore, through head: Int64) async throws {
        for filter in filters {
            for limit in [1, 2, 3, 7, 1000] {
                for after in 0...head {
                    let fromMemory = try await kept.readAllPage(after: after, limit: limit, filter: filter)
                    let fromDisk = try await database.readAllPage(after: after, limit: limit, filter: filter)
                    #expect(fromMemory.events == fromDisk.events, "after \(after), limit \(limit), \(filter)")
                    if fromMemory.events.count < limit {
                        // A partial page may stop at the last kept commit; it never skips one.
                        #expect(fromMemory.scannedThrough <= fromDisk.scannedThrough)
                    } else {
                        #expect(fromMemory.scannedThrough == fromDisk.scannedThrough)
                    }
                }
            }
        }
    }

    static func event(_ type: String, _ index: Int, tenant: String? = nil) -> EventData {
        EventData(
            type: type, payload: Data(#"{"n":\#(index)}"#.utf8),
            metadata: EventMetadata(
                correlationID: "c\(index % 3)", actor: index % 2 == 0 ? "ada" : nil, tenant: tenant,
                custom: index % 5 == 0 ? ["ip": "203.0.113.\(index)"] : [:]))
    }

    @Test("pages after positions among recent commits equal the database's: multi-stream appends, concurrent groups, filters")
    func pagesEqualTheDatabase() async throws {
        let (kept, database) = try await Self.stores("recent-equal")
        defer { kept.close() }
        // A multi-stream append: its streams are written one after another.
        try await kept.append([
            StreamAppend(to: try StreamName("Account-1"), expectedVersion: .noStream, events: [Self.event("Opened", 1, tenant: "acme")]),
            StreamAppend(
                to: try StreamName("Ledger-1"), expectedVersion: .noStream,
                events: [Self.event("Moved", 2), Self.event("Moved", 3, tenant: "acme")]),
        ])
        // Concurrent appends, group-committed together, one of them failing.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask {
                    let stream = try StreamName(index % 2 == 0 ? "Account-g\(index)" : "Ledger-g\(index)")
                    try await kept.append(
                        [Self.event(index % 3 == 0 ? "Opened" : "Moved", index, tenant: index % 4 == 0 ? "acme" : nil)],
                        to: stream, expectedVersion: .noStream)
                }
            }
            group.addTask {
                await #expect(throws: EventStoreError.self) {
                    try await kept.append([Self.event("Opened", 99)], to: try StreamName("Account-1"), expectedVersion: .noStream)
                }
            }
            try await group.waitForAll()
        }
        let head = try await kept.headPosition()
        #expect(head == 23)
        try await Self.expectSamePages(kept, database, through: head)
    }

    @Test("another writer's events between two commits are read from the database, never skipped")
    func anotherWriterIsNeverSkipped() async throws {
        let path = TemporaryDirectory.shared.newFile("recent-other")
        let kept = try await SQLiteEventStore(path: path)
        defer { kept.close() }
        // A second store on its own connections to the file: another writer, as another process is.
        let other = try await SQLiteEventStore(path: path, configuration: .init(recentEventCapacity: 0))
        defer { other.close() }
        let database = try await SQLiteEventStore(database: kept.database, configuration: .init(recentEventCapacity: 0))

        try await kept.append((1...5).map { Self.event("Opened", $0) }, to: try StreamName("Account-a"))
        try await other.append((6...8).map { Self.event("Moved", $0) }, to: try StreamName("Ledger-b"))
        // Kept: positions 1–5. The page after 3 ends at 5; the next read finds the other writer's.
        let partial = try await kept.readAllPage(after: 3, limit: 100, filter: .all)
        #expect(partial.events.map(\.position) == [4, 5] || partial.events.map(\.position) == [4, 5, 6, 7, 8])
        let next = try await kept.readAllPage(after: partial.scannedThrough, limit: 100, filter: .all)
        #expect((partial.events + next.events).map(\.position) == [4, 5, 6, 7, 8])

        // The next commit does not follow the kept ones: they are dropped.
        try await kept.append((9...10).map { Self.event("Opened", $0) }, to: try StreamName("Account-c"))
        try await Self.expectSamePages(kept, database, through: 10)
    }

    @Test("a retried append answered with its original result is not kept as new events")
    func retriesAreNotKept() async throws {
        let (kept, database) = try await Self.stores("recent-retry")
        defer { kept.close() }
        let first = [Self.event("Opened", 1), Self.event("Moved", 2)]
        let stream = try StreamName("Account-r")
        let original = try await kept.append(first, to: stream, expectedVersion: .noStream)
        let retried = try await kept.append(first, to: stream, expectedVersion: .noStream)
        #expect(retried == original)
        // Under `.any` the retry is found only when its insert fails on the stored id.
        _ = try await kept.append(first, to: stream, expectedVersion: .any)
        try await kept.append([Self.event("Moved", 3)], to: stream, expectedVersion: .exact(1))
        #expect(try await kept.headPosition() == 3)
        try await Self.expectSamePages(kept, database, through: 3)
    }

    @Test("only the last commits up to the capacity are kept; older pages come from the database")
    func capacityBoundsWhatIsKept() async throws {
        let (kept, database) = try await Self.stores("recent-capacity", capacity: 8)
        defer { kept.close() }
        for batch in 0..<6 {
            try await kept.append(
                (0..<3).map { Self.event("Opened", batch * 3 + $0, tenant: "acme") },
                to: try StreamName("Account-\(batch)"), expectedVersion: .noStream)
        }
        // An append larger than the capacity is not kept at all, nor is anything before it.
        try await kept.append((0..<9).map { Self.event("Moved", 100 + $0) }, to: try StreamName("Ledger-big"))
        try await kept.append([Self.event("Moved", 200)], to: try StreamName("Ledger-big"))
        try await Self.expectSamePages(kept, database, through: 28)
    }

    @Test("only the last commits within the byte limit are kept; a commit over it is not kept at all")
    func byteLimitBoundsWhatIsKept() async throws {
        // Payloads of 8–10 bytes: a limit of 40 bytes keeps about four events.
        let (kept, database) = try await Self.stores("recent-bytes", bytes: 40)
        defer { kept.close() }
        for index in 0..<12 {
            try await kept.append([Self.event("Opened", index)], to: try StreamName("Account-b\(index)"), expectedVersion: .noStream)
        }
        try await kept.append((0..<6).map { Self.event("Moved", 100 + $0) }, to: try StreamName("Ledger-large"))
        try await kept.append([Self.event("Moved", 200)], to: try StreamName("Ledger-large"))
        try await Self.expectSamePages(kept, database, through: 19)
    }

    @Test("the kept commits stay within both limits: what is dropped is no longer answered from memory")
    func limitsDropTheOldest() throws {
        let stream = try StreamName("Account-1")
        func commit(_ position: Int64, events: Int, payloadBytes: Int) -> [(StreamAppend, AppendResult)] {
            let data = (0..<events).map { _ in EventData(type: "Opened", payload: Data(repeating: 0x41, count: payloadBytes)) }
            return [(
                StreamAppend(to: stream, expectedVersion: .any, events: data),
                AppendResult(
                    stream: stream, firstVersion: position - 1, lastVersion: position + Int64(events) - 2,
                    firstPosition: position, lastPosition: position + Int64(events) - 1)
            )]
        }
        var byBytes = RecentCommits(capacity: 4096, maximumBytes: 100)
        for position in 1...10 { byBytes.record(commit(Int64(position), events: 1, payloadBytes: 30), committedAt: 0) }
        // 30 bytes each: the last three fit in 100.
        #expect(byBytes.commits(after: 6) == nil)
        #expect(byBytes.commits(after: 7)?.page(after: 7, limit: 10, filter: .all).events.map(\.position) == [8, 9, 10])
        byBytes.record(commit(11, events: 1, payloadBytes: 101), committedAt: 0)
        #expect(byBytes.commits(after: 10) == nil, "a commit over the limit is not kept, nor anything before it")

        var byCount = RecentCommits(capacity: 5, maximumBytes: 1 << 20)
        byCount.record(commit(1, events: 3, payloadBytes: 1), committedAt: 0)
        byCount.record(commit(4, events: 3, payloadBytes: 1), committedAt: 0)
        #expect(byCount.commits(after: 0) == nil, "the first commit made room for the second")
        #expect(byCount.commits(after: 3)?.page(after: 3, limit: 10, filter: .all).events.map(\.position) == [4, 5, 6])
        // A commit that does not follow the kept ones replaces them.
        byCount.record(commit(9, events: 1, payloadBytes: 1), committedAt: 0)
        #expect(byCount.commits(after: 5) == nil)
        #expect(byCount.commits(after: 8)?.page(after: 8, limit: 10, filter: .all).events.map(\.position) == [9])
    }

    @Test("upcasters apply to pages served from recent commits")
    func upcastersApply() async throws {
        let rename = Upcaster.json(type: "Opened", from: 1) { object in
            object["number"] = object.removeValue(forKey: "n")
        }
        let (kept, database) = try await Self.stores("recent-upcast", upcasters: [rename])
        defer { kept.close() }
        try await kept.append([Self.event("Opened", 1), Self.event("Moved", 2)], to: try StreamName("Account-u"))
        let page = try await kept.readAllPage(after: 0, limit: 10, filter: .all)
        #expect(page.events.first?.schemaVersion == 2)
        let payload = try JSONSerialization.jsonObject(with: page.events[0].payload) as? [String: Int]
        #expect(payload == ["number": 1])
        try await Self.expectSamePages(kept, database, through: 2)
    }

    @Test("randomized: appends of every shape, then every page equals the database's")
    func randomized() async throws {
        var generator = SeededGenerator(seed: 0xA70_30)
        for round in 0..<4 {
            let (kept, database) = try await Self.stores("recent-random-\(round)", capacity: [5, 16, 64, 4096][round])
            var streams: [StreamName: Int64] = [:]
            var appended = 0
            for step in 0..<40 {
                var appends: [StreamAppend] = []
                for part in 0..<Int.random(in: 1...3, using: &generator) {
                    let isNew = streams.isEmpty || Bool.random(using: &generator)
                    let stream = isNew
                        ? try StreamName("\(Bool.random(using: &generator) ? "Account" : "Ledger")-\(step)x\(part)")
                        : streams.keys.sorted { $0.rawValue < $1.rawValue }[Int.random(in: 0..<streams.count, using: &generator)]
                    guard !appends.contains(where: { $0.stream == stream }) else { continue }
                    let count = Int.random(in: 1...4, using: &generator)
                    let events = (0..<count).map { index in
                        Self.event(
                            ["Opened", "Moved", "Closed"][Int.random(in: 0..<3, using: &generator)], step * 10 + index,
                            tenant: Bool.random(using: &generator) ? "acme" : nil)
                    }
                    let expected: ExpectedVersion = streams[stream].map { .exact($0) } ?? .noStream
                    appends.append(StreamAppend(to: stream, expectedVersion: expected, events: events))
                }
                // Now and then a stale expected version: the whole append fails and writes nothing.
                let fails = step % 7 == 3 && appends[0].expectedVersion != .noStream
                if fails { appends[0].expectedVersion = .exact(999) }
                do {
                    let results = try await kept.append(appends)
                    for result in results { streams[result.stream] = result.lastVersion }
                    appended += appends.reduce(0) { $0 + $1.events.count }
                } catch {
                    #expect(fails, "append \(step) failed: \(error)")
                }
            }
            let head = try await kept.headPosition()
            #expect(head == Int64(appended))
            try await Self.expectSamePages(kept, database, through: head)
            kept.close()
        }
    }

    @Test("after close, reads fail with closed rather than answering from memory")
    func closedStoreDoesNotAnswer() async throws {
        let (kept, _) = try await Self.stores("recent-closed")
        try await kept.append([Self.event("Opened", 1)], to: try StreamName("Account-z"))
        kept.close()
        await #expect(throws: EventStoreError.closed) {
            _ = try await kept.readAllPage(after: 0, limit: 10, filter: .all)
        }
    }
}
