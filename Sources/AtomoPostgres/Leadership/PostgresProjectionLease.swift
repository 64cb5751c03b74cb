import AtomoProjection
import Logging
import PostgresNIO
import Synchronization

/// A held ``PostgresProjectionLeadership`` lease: the session that holds the advisory lock, and a
/// heartbeat that notices when the session dies.
final class PostgresProjectionLease: ProjectionLease {
    let projector: String
    private let key: Int64
    private let connection: PostgresConnection
    private let logger: Logger
    private let lost = Atomic<Bool>(false)
    private let released = Atomic<Bool>(false)
    private let heartbeat = Mutex<Task<Void, Never>?>(nil)

    init(projector: String, key: Int64, connection: PostgresConnection, heartbeatInterval: Duration, logger: Logger) {
        self.projector = projector
        self.key = key
        self.connection = connection
        self.logger = logger
        let task = Task { [weak self] in
            while !Task.isCancelled {
                guard let lease = self else { return }
                if await !lease.isAlive(interval: heartbeatInterval) {
                    lease.markLost()
                    return
                }
            }
        }
        heartbeat.withLock { $0 = task }
    }

    deinit { heartbeat.withLock { $0?.cancel() } }

    /// Whether the lock's session is still there.
    var isHeld: Bool {
        if released.load(ordering: .acquiring) || lost.load(ordering: .acquiring) { return false }
        if connection.isClosed {
            markLost()
            return false
        }
        return true
    }

    /// Unlocks and closes the session.
    func release() async {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        heartbeat.withLock { $0?.cancel() }
        if !connection.isClosed {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(key))", logger: logger)
        }
        try? await connection.close()
    }

    private func markLost() {
        guard !released.load(ordering: .acquiring), !lost.exchange(true, ordering: .acquiringAndReleasing) else { return }
        logger.warning("lost the leadership of projector \(projector): its PostgreSQL session is gone")
        let connection = connection
        Task { try? await connection.close() }
    }

    /// Sends `SELECT 1` on the session and waits `interval` for the answer, up to five times as
    /// long on a slow machine; false when the session is closed or does not answer.
    private func isAlive(interval: Duration) async -> Bool {
        if connection.isClosed { return false }
        let answered = HeartbeatAnswer()
        let connection = connection
        let logger = logger
        let probe = Task {
            if (try? await connection.query("SELECT 1", logger: logger)) != nil { answered.set() }
        }
        for _ in 0..<5 {
            try? await Task.sleep(for: interval)
            if answered.isSet { return !connection.isClosed }
            if connection.isClosed || Task.isCancelled { break }
        }
        probe.cancel()
        return Task.isCancelled
    }
}

/// Whether a heartbeat query has answered.
private final class HeartbeatAnswer: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
