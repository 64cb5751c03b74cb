import AtomoEvents
import AtomoProjection
import AtomoSQL
import Foundation
import Synchronization

/// The events and projectors `atomo-bench projection` measures: contacts created and updated,
/// about 100 bytes of JSON each, in 1,000 streams.
enum ProjectionWorkload {
    static let streams = 1_000

    /// Appends `count` events in appends of `perAppend` (one stream per append), reporting progress.
    static func generate(
        _ count: Int, into store: any EventStore, perAppend: Int = 1_000, progress: (Int) -> Void
    )
        async throws
    {
        var written = 0
        var round = 0
        while written < count {
            let size = min(perAppend, count - written)
            let stream = try StreamName("Contact-\(round % streams)")
            let events = (0..<size).map { offset in
                let index = written + offset
                return EventData(
                    type: index % streams == round % streams && round < streams ? "ContactCreated" : "ContactUpdated",
                    payload: Data(
                        #"{"name":"Contact \#(index)","email":"c\#(index)@example.com","score":\#(index % 97)}"#.utf8))
            }
            try await store.append(events, to: stream)
            written += size
            round += 1
            progress(written)
        }
    }
}

/// Counts events and payload bytes in memory, de-duplicating by position (at-least-once delivery).
final class MemoryCountingProjector: Projector {
    let name: String
    private let totals = Mutex<(through: Int64, events: Int64, bytes: Int64)>((0, 0, 0))

    init(name: String) { self.name = name }

    func apply(_ events: [RecordedEvent]) async throws {
        totals.withLock { totals in
            for event in events where event.position > totals.through {
                totals.events += 1
                totals.bytes += Int64(event.payload.count)
                totals.through = event.position
            }
        }
    }

    func reset() async throws { totals.withLock { $0 = (0, 0, 0) } }

    var events: Int64 { totals.withLock { $0.events } }
}

/// One upsert per event into a contacts table: `(stream, events, last_position, payload)`.
struct SQLUpsertProjector: SQLProjector {
    let name: String
    let table: SQLIdentifier

    func createSchema(in connection: any SQLConnection) throws {
        let bytes = connection.dialect == .postgres ? "BYTEA" : "BLOB"
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS \(table.quoted) (
                stream TEXT PRIMARY KEY, events INTEGER NOT NULL, last_position BIGINT NOT NULL, payload \(bytes) NOT NULL)
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
            ON CONFLICT (stream) DO UPDATE SET events = \(table.quoted).events + 1, last_position = excluded.last_position,
                payload = excluded.payload
            """,
            events.map { [.text($0.stream.rawValue), .integer($0.position), .blob(Array($0.payload))] })
    }
}
