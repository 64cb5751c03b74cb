import AtomoEvents
import AtomoProjection
import AtomoSQL
import Foundation
import Synchronization

/// Events for the tests: contacts created and renamed, with some noise of another type.
enum Fixtures {
    /// Appends `count` events in appends of `perAppend`: for each contact k, one `ContactCreated`
    /// then `ContactRenamed`s; every 10th event is a `Noise` event in another stream.
    static func appendContacts(
        _ count: Int, to store: any EventStore, perAppend: Int = 1000, contacts: Int = 500
    )
        async throws
    {
        var written = 0
        var created = Set<Int>()
        while written < count {
            let size = min(perAppend, count - written)
            var byStream: [String: [EventData]] = [:]
            var order: [String] = []
            for offset in 0..<size {
                let index = written + offset
                let stream: String
                let event: EventData
                if index % 10 == 9 {
                    stream = "Noise-\(index % 7)"
                    event = EventData(type: "Noise", payload: Data(#"{"i":\#(index)}"#.utf8))
                } else {
                    let contact = index % contacts
                    stream = "Contact-\(contact)"
                    let type = created.insert(contact).inserted ? "ContactCreated" : "ContactRenamed"
                    event = EventData(type: type, payload: Data(#"{"name":"name-\#(index)"}"#.utf8))
                }
                if byStream[stream] == nil { order.append(stream) }
                byStream[stream, default: []].append(event)
            }
            _ = try await store.append(
                try order.map { StreamAppend(to: try StreamName($0), events: byStream[$0] ?? []) })
            written += size
        }
    }

    /// Every row of `table`, ordered by its first column, as text.
    static func dump(_ table: String, in database: any SQLDatabase) async throws -> [String] {
        try await database.readTransaction { connection in
            try connection.query("SELECT * FROM \(try SQLIdentifier(table).quoted) ORDER BY 1", []).map { row in
                row.values.map { "\($0)" }.joined(separator: "|")
            }
        }
    }

    /// Polls `condition` until it holds or `timeout` passes.
    static func eventually(
        timeout: Duration = .seconds(10), _ condition: () async throws -> Bool
    ) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return try await condition()
    }
}

/// A contacts read model: one row per contact, upserted per event.
struct ContactsProjector: SQLProjector {
    let name: String
    let table: SQLIdentifier
    let eventTypes: Set<String>? = ["ContactCreated", "ContactRenamed"]

    init(name: String = "contacts", table: SQLIdentifier) {
        self.name = name
        self.table = table
    }

    func createSchema(in connection: any SQLConnection) throws {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS \(table.quoted) (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, renames INTEGER NOT NULL, last_position INTEGER NOT NULL)
            """, [])
    }

    func reset(in connection: any SQLConnection) throws {
        try connection.execute("DELETE FROM \(table.quoted)", [])
    }

    func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
        let p = connection.dialect.placeholder
        try connection.executeMany(
            """
            INSERT INTO \(table.quoted) (id, name, renames, last_position) VALUES (\(p(1)), \(p(2)), 0, \(p(3)))
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, renames = renames + 1, last_position = excluded.last_position
            """,
            events.map { event in
                let name = String(decoding: event.payload, as: UTF8.self)
                return [.text(event.stream.rawValue), .text(name), .integer(event.position)]
            })
    }
}

/// Counts every event, one UPDATE per event, into `event_count`.
struct CountingSQLProjector: SQLProjector {
    var name = "counter"
    var eventTypes: Set<String>? = nil

    func createSchema(in connection: any SQLConnection) throws {
        try connection.execute(
            "CREATE TABLE IF NOT EXISTS event_count (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)", [])
        try connection.execute("INSERT INTO event_count (id, n) VALUES (1, 0) ON CONFLICT (id) DO NOTHING", [])
    }

    func reset(in connection: any SQLConnection) throws {
        try connection.execute("UPDATE event_count SET n = 0", [])
    }

    func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
        try connection.executeMany("UPDATE event_count SET n = n + 1 WHERE id = 1", events.map { _ in [] })
    }
}

/// An in-memory projector that fails on one position while `failing` is set, and records every
/// position it was called with (so tests can count attempts and find gaps or duplicates).
final class FlakyProjector: Projector {
    let name: String
    let poison: Int64
    let failing = Atomic<Bool>(true)
    private let log = Mutex<(applied: [Int64], attemptsOnPoison: Int)>(([], 0))

    init(name: String = "flaky", poison: Int64) {
        self.name = name
        self.poison = poison
    }

    func apply(_ events: [RecordedEvent]) async throws {
        try log.withLock { log in
            if events.contains(where: { $0.position == poison }) {
                log.attemptsOnPoison += 1
                if failing.load(ordering: .relaxed) { throw FlakyError.boom(poison) }
            }
            // At-least-once: de-duplicate by position, as the protocol asks.
            let last = log.applied.last ?? 0
            log.applied += events.map(\.position).filter { $0 > last }
        }
    }

    func reset() async throws {
        log.withLock { $0 = ([], 0) }
    }

    var applied: [Int64] { log.withLock { $0.applied } }
    var attemptsOnPoison: Int { log.withLock { $0.attemptsOnPoison } }
}

enum FlakyError: Error, CustomStringConvertible {
    case boom(Int64)
    var description: String {
        switch self {
        case .boom(let position): "boom at \(position)"
        }
    }
}

/// Records the size of every batch and every position it is given.
final class BatchRecordingProjector: Projector {
    let name = "batches"
    private let log = Mutex<(sizes: [Int], positions: [Int64])>(([], []))

    func apply(_ events: [RecordedEvent]) async throws {
        log.withLock { log in
            log.sizes.append(events.count)
            log.positions += events.map(\.position)
        }
    }

    var batchSizes: [Int] { log.withLock { $0.sizes } }
    var positions: [Int64] { log.withLock { $0.positions } }
}
