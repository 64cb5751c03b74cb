public import AtomoSQL
import Foundation
public import Logging
public import PostgresNIO

/// The ``AtomoSQL/SQLDatabase`` seam on PostgreSQL: read models, checkpoints (`SQLCheckpointStore`)
/// and anything else written once against AtomoSQL run on PostgreSQL through it.
///
/// Transaction bodies are synchronous. Each runs on one of the database's own threads (never the
/// cooperative pool, never a NIO event loop); every thread holds one PostgreSQL connection, and each
/// `execute`/`query` of a body sends its statement and blocks that thread until the result arrives.
/// Write transactions are `BEGIN … COMMIT` (READ COMMITTED); read transactions are
/// `REPEATABLE READ, READ ONLY`, so they see one snapshot. Placeholders are `$1, $2, …`
/// (``AtomoSQL/SQLDialect/postgres``); `execute` returns the number of rows the statement changed.
///
/// With a `schema`, every connection creates it if needed and sets `search_path` to it, so tables
/// named without a schema live there.
///
/// ```swift
/// let database = try PostgresSQLDatabase(url: "postgres://app@127.0.0.1:5432/app")
/// let checkpoints = SQLCheckpointStore(database: database)
/// try await checkpoints.createTables()
/// let runner = ProjectionRunner(store: store, projector: ContactsProjector(), database: database)
/// // …
/// database.close()
/// ```
///
/// Beside a ``PostgresEventStore``, ``PostgresEventStore/makeDatabase(threads:)`` opens one in the
/// store's schema, so the read models and checkpoints commit in the same database as the log.
public final class PostgresSQLDatabase: SQLDatabase {
    /// ``AtomoSQL/SQLDialect/postgres``.
    public var dialect: SQLDialect { .postgres }
    /// The schema the connections' `search_path` points at, if one was given.
    public let schema: SQLIdentifier?

    /// One session (one connection) per thread; transactions wait in the pool's queue for a thread.
    private let threads: BlockingThreads<PostgresSQLDatabaseSession>

    /// Opens a database of `threads` threads (and as many connections, opened on first use).
    public init(
        configuration: PostgresConnection.Configuration, schema: SQLIdentifier? = nil, threads: Int = 4,
        logger: Logger = Logger(label: "atomo.postgres.sql")
    ) {
        self.schema = schema
        let sessions = (0..<max(1, threads)).map { id in
            PostgresSQLDatabaseSession(id: id, configuration: configuration, schema: schema, logger: logger)
        }
        self.threads = BlockingThreads(name: "atomo-pg-sql", resources: sessions, onExit: { $0.close() })
    }

    /// Opens a database at `url` (`postgres://user:password@host:port/database?sslmode=…`).
    /// - Throws: `EventStoreError.invalidArgument` when the URL is not a PostgreSQL URL.
    public convenience init(
        url: String, schema: SQLIdentifier? = nil, threads: Int = 4, logger: Logger = Logger(label: "atomo.postgres.sql")
    ) throws {
        self.init(
            configuration: try PostgresConnectionURL.connectionConfiguration(from: url), schema: schema, threads: threads,
            logger: logger)
    }

    deinit { threads.close(wait: false) }

    /// Lets queued transactions finish, then closes the connections (on the database's threads,
    /// without waiting for them); later transactions throw ``PostgresSQLDatabaseError/Kind/closed``.
    /// Safe to call more than once.
    public func close() { threads.close(wait: false) }

    /// Runs `body` in a read-write transaction on one of the database's threads.
    public func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await transaction(readOnly: false, body)
    }

    /// Runs `body` in a read-only, repeatable-read transaction on one of the database's threads.
    public func readTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await transaction(readOnly: true, body)
    }

    private func transaction<T: Sendable>(
        readOnly: Bool, _ body: @escaping @Sendable (any SQLConnection) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = PostgresSQLDatabaseJob(
                readOnly: readOnly,
                run: { connection in
                    let value = try body(connection)
                    return { continuation.resume(returning: value) }
                },
                fail: { error in continuation.resume(throwing: error) })
            if !threads.submit({ session in session.perform(job) }) {
                continuation.resume(throwing: PostgresSQLDatabaseError(kind: .closed, message: "closed"))
            }
        }
    }
}
