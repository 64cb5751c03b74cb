import AtomoSQL
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The connection of one thread of a ``PostgresSQLDatabase``: opened on first use, re-opened after it
/// breaks, closed when the database's threads end. Each session belongs to one thread of the
/// database's ``AtomoSQL/BlockingThreads`` pool and runs that thread's transactions, one at a time.
final class PostgresSQLDatabaseSession {
    // Touched only by the one pool thread that owns this session (its jobs and `close()` run there).
    private var connection: PostgresConnection?
    private let configuration: PostgresConnection.Configuration
    private let schema: SQLIdentifier?
    private let logger: Logger
    private let id: Int

    init(id: Int, configuration: PostgresConnection.Configuration, schema: SQLIdentifier?, logger: Logger) {
        self.id = id
        self.configuration = configuration
        self.schema = schema
        self.logger = logger
    }

    /// Closes the connection, if one is open (on the session's thread, when the pool ends).
    func close() {
        if let connection {
            _ = try? connection.close().wait()
            self.connection = nil
        }
    }

    /// Runs one transaction: BEGIN, the body, COMMIT (or ROLLBACK when the body throws).
    func perform(_ job: PostgresSQLDatabaseJob) {
        let sql: PostgresSQLConnection
        do {
            sql = PostgresSQLConnection(connection: try openConnection(), logger: logger)
            _ = try sql.run(job.readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY" : "BEGIN")
        } catch {
            dropConnection(after: error)
            job.fail(error)
            return
        }
        let finish: @Sendable () -> Void
        do {
            finish = try job.run(sql)
        } catch {
            do {
                _ = try sql.run("ROLLBACK")
            } catch {
                dropConnection(after: error)
            }
            job.fail(error)
            return
        }
        do {
            let result = try sql.run("COMMIT")
            // COMMIT of a transaction that had a failed statement answers ROLLBACK without an error.
            if result.metadata.command == "ROLLBACK" {
                throw PostgresSQLDatabaseError(
                    kind: .rolledBack, message: "a statement of the transaction failed and the body went on")
            }
        } catch {
            dropConnection(after: error)
            job.fail(error)
            return
        }
        finish()
    }

    private func openConnection() throws(PostgresSQLDatabaseError) -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connection = nil
        let opened: PostgresConnection
        do {
            opened = try PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration, id: id, logger: logger
            ).wait()
        } catch {
            throw PostgresSQLDatabaseError(kind: .connection, message: "cannot connect: \(PostgresSQLDatabaseError.map(error).message)")
        }
        if let schema {
            let sql = PostgresSQLConnection(connection: opened, logger: logger)
            do {
                do {
                    _ = try sql.run("CREATE SCHEMA IF NOT EXISTS \(schema.quoted)")
                } catch where error.sqlState == "23505" || error.sqlState == "42P06" {
                    // Another connection created it at the same moment.
                }
                _ = try sql.run("SET search_path TO \(schema.quoted)")
            } catch {
                _ = try? opened.close().wait()
                throw error
            }
        }
        connection = opened
        return opened
    }

    private func dropConnection(after error: any Error) {
        guard PostgresSQLDatabaseError.map(error).breaksConnection || (connection?.isClosed ?? false) else { return }
        if let connection { _ = try? connection.close().wait() }
        connection = nil
    }
}
