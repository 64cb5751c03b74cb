import AtomoSQL
import Logging
import NIOCore
import PostgresNIO

/// The ``AtomoSQL/SQLConnection`` a ``PostgresSQLDatabase`` transaction body receives: each call sends
/// its statement on the transaction's connection and blocks the calling thread — a dedicated
/// thread of the database, never the cooperative pool or an event loop — until the result arrives.
struct PostgresSQLConnection: SQLConnection {
    let connection: PostgresConnection
    let logger: Logger

    var dialect: SQLDialect { .postgres }

    @discardableResult
    func execute(_ sql: String, _ values: [SQLValue]) throws -> Int {
        try run(sql, values).metadata.rows ?? 0
    }

    func executeMany(_ sql: String, _ rows: [[SQLValue]]) throws {
        // Queue every statement on the connection at once (it runs them in order), then wait: one
        // wake-up of this thread per batch instead of one per row.
        let futures = rows.map { values in
            connection.query(PostgresQuery(unsafeSQL: sql, binds: PostgresSQLValueCoding.bindings(values)), logger: logger)
        }
        var firstError: (any Error)?
        for future in futures {
            do {
                _ = try future.wait()
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw PostgresSQLDatabaseError.map(firstError) }
    }

    func query(_ sql: String, _ values: [SQLValue]) throws -> [SQLRow] {
        try run(sql, values).rows.map(PostgresSQLValueCoding.row)
    }

    /// Runs one statement and waits for all of its rows.
    func run(_ sql: String, _ values: [SQLValue] = []) throws(PostgresSQLDatabaseError) -> PostgresQueryResult {
        do {
            return try connection.query(
                PostgresQuery(unsafeSQL: sql, binds: PostgresSQLValueCoding.bindings(values)), logger: logger
            ).wait()
        } catch {
            throw PostgresSQLDatabaseError.map(error)
        }
    }
}
