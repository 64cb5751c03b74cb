public import AtomoProjection
import Foundation
public import Logging
public import PostgresNIO
import Synchronization

/// At most one runner per projector across processes and nodes: a PostgreSQL session-level
/// advisory lock (`pg_try_advisory_lock` on ``AtomoProjection/ProjectionLockKey/forProjector(_:)``)
/// taken on a connection of the lease's own and held for as long as the lease lives.
///
/// When the holder dies — process killed, node gone — its connection closes and the server
/// releases the lock; a standby runner's next `tryAcquire` (every
/// `ProjectionRunner.Configuration.leadershipRetryInterval`) takes over. When the holder's
/// connection dies while the process lives, the lease reports `isHeld == false` and the runner goes
/// back to standby: the lease checks its connection every ``heartbeatInterval`` with `SELECT 1`.
///
/// ```swift
/// let leadership = try PostgresProjectionLeadership(url: "postgres://app@127.0.0.1:5432/app")
/// var configuration = ProjectionRunner.Configuration()
/// configuration.leadership = leadership
/// let runner = ProjectionRunner(store: store, projector: ContactsProjector(), database: database,
///                               configuration: configuration)
/// ```
public final class PostgresProjectionLeadership: ProjectionLeadership {
    /// Where lock sessions connect.
    public let configuration: PostgresConnection.Configuration
    /// How often a held lease checks that its session is alive.
    public let heartbeatInterval: Duration

    private let logger: Logger
    private let nextID = Atomic<Int>(0)

    /// Creates leadership through sessions opened with `configuration`.
    public init(
        configuration: PostgresConnection.Configuration, heartbeatInterval: Duration = .seconds(1),
        logger: Logger = Logger(label: "atomo.postgres.leadership")
    ) {
        self.configuration = configuration
        self.heartbeatInterval = heartbeatInterval
        self.logger = logger
    }

    /// Creates leadership through sessions opened at `url`.
    /// - Throws: `EventStoreError.invalidArgument` when the URL is not a PostgreSQL URL.
    public convenience init(
        url: String, heartbeatInterval: Duration = .seconds(1), logger: Logger = Logger(label: "atomo.postgres.leadership")
    ) throws {
        self.init(
            configuration: try PostgresConnectionURL.connectionConfiguration(from: url),
            heartbeatInterval: heartbeatInterval, logger: logger)
    }

    /// Opens a session and tries the projector's advisory lock on it; returns the lease holding
    /// the session, or nil (closing the session) when another session holds the lock.
    public func tryAcquire(_ projector: String) async throws -> (any ProjectionLease)? {
        let key = ProjectionLockKey.forProjector(projector)
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: configuration, id: nextID.add(1, ordering: .relaxed).newValue, logger: logger)
        } catch {
            throw PostgresSQLDatabaseError.map(error)
        }
        do {
            var acquired = false
            let rows = try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger)
            for try await value in rows.decode(Bool.self) { acquired = value }
            guard acquired else {
                try? await connection.close()
                return nil
            }
            return PostgresProjectionLease(
                projector: projector, key: key, connection: connection, heartbeatInterval: heartbeatInterval,
                logger: logger)
        } catch {
            try? await connection.close()
            throw PostgresSQLDatabaseError.map(error)
        }
    }
}
