public import AtomoEvents
public import AtomoSQL
import AtomoSQLite
public import AtomoPostgres
import Foundation

/// Where a service's event log lives: the SQLite file in its data folder, or a PostgreSQL database.
///
/// The CLI and the server choose the same way: `ATOMO_DATABASE_URL` (or `--database-url`) selects
/// PostgreSQL; otherwise the log is `events.sqlite` in the data folder (default `.atomo/`).
public enum EventStoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// A SQLite file.
    case sqlite(path: String)
    /// A PostgreSQL database, `postgres://user:password@host:port/database`.
    case postgres(url: String)

    /// The file name of the event log inside a data folder.
    public static let sqliteFileName = "events.sqlite"

    /// PostgreSQL when `databaseURL` is set, otherwise the data folder's SQLite file.
    public static func resolve(dataDirectory: String, databaseURL: String?) -> EventStoreLocation {
        if let databaseURL, !databaseURL.isEmpty { return .postgres(url: databaseURL) }
        return .sqlite(path: URL(fileURLWithPath: dataDirectory).appendingPathComponent(sqliteFileName).path)
    }

    /// Where the log is, with any password left out.
    public var description: String {
        switch self {
        case .sqlite(let path):
            return "SQLite \(path)"
        case .postgres(let url):
            guard var components = URLComponents(string: url), components.password != nil else {
                return "PostgreSQL \(url)"
            }
            components.password = "***"
            return "PostgreSQL \(components.string ?? "(url)")"
        }
    }
}

/// An open event store and how to close it.
public struct OpenEventStore: Sendable {
    /// The store.
    public let store: any EventStore
    /// The SQLite store, when the log is a SQLite file (its database holds read models too).
    public let sqlite: SQLiteEventStore?
    /// The PostgreSQL store, when the log is in PostgreSQL.
    public let postgres: PostgresEventStore?
    /// The database for read models, sessions and credentials: the SQLite file itself, or a
    /// connection pool to the PostgreSQL database in the store's schema.
    public let database: any SQLDatabase

    /// Opens (creating or migrating) the log at `location`.
    ///
    /// - Parameter mustExist: for read-only tools: fail with ``ToolError/noEventLog(_:)`` instead of
    ///   creating an empty SQLite file.
    public static func open(_ location: EventStoreLocation, mustExist: Bool = false) async throws -> OpenEventStore {
        switch location {
        case .sqlite(let path):
            if mustExist && !FileManager.default.fileExists(atPath: path) { throw ToolError.noEventLog(path) }
            // An existing file with no bytes (and no write-ahead log to recover from) was truncated or
            // lost: opening it would silently start a new, empty log over it.
            if Self.fileSize(path) == 0 && (Self.fileSize(path + "-wal") ?? 0) == 0 {
                throw ToolError.emptyEventLog(path)
            }
            try FileManager.default.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
            let store = try await SQLiteEventStore(path: path)
            return OpenEventStore(store: store, sqlite: store, postgres: nil, database: store.database)
        case .postgres(let url):
            let store = try await PostgresEventStore(url: url)
            do {
                return OpenEventStore(store: store, sqlite: nil, postgres: store, database: try store.makeDatabase(threads: 4))
            } catch {
                await store.close()
                throw error
            }
        }
    }

    /// The size of the file at `path`, or nil when there is none.
    static func fileSize(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
    }

    /// Closes the store.
    public func close() async {
        (database as? PostgresSQLDatabase)?.close()
        sqlite?.close()
        await postgres?.close()
    }
}
