import AtomoSQLite
import Synchronization

/// Stream names by their row id in `atomo_streams`.
///
/// A committed stream row is never renamed or deleted, so a cached name stays right forever; the
/// cache only saves reading and validating the same name for every event of the global order.
/// Names read inside the writer's open transaction are not remembered (`remember: false`): that
/// row may still be rolled back, and SQLite would then give its id to the next new stream.
final class StreamNameCache: Sendable {
    private let names = Mutex<[Int64: StreamName]>([:])
    private static let capacity = 100_000

    func name(of id: Int64, on connection: SQLiteConnection, remember: Bool = true) throws -> StreamName {
        if let name = names.withLock({ $0[id] }) { return name }
        let statement = try connection.cachedStatement("SELECT name FROM atomo_streams WHERE id = ?1")
        defer { statement.reset() }
        try statement.bind(id, at: 1)
        guard try statement.step(), let text = statement.string(at: 0) else {
            throw EventStoreError.corrupted("an event refers to stream row \(id), which does not exist")
        }
        let name: StreamName
        do {
            name = try StreamName(text)
        } catch {
            throw EventStoreError.corrupted("stream row \(id) holds an invalid name")
        }
        guard remember else { return name }
        names.withLock { names in
            if names.count >= Self.capacity { names.removeAll(keepingCapacity: true) }
            names[id] = name
        }
        return name
    }
}
