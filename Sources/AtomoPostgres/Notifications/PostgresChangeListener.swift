import AtomoEvents
import Logging
import PostgresNIO
import Synchronization

/// Listens for other processes' appends and wakes this process's subscriptions.
///
/// It listens on a dedicated connection of its own (or, when the host gave the store only a pool,
/// on a connection leased from it for as long as it listens). When that connection fails (the
/// server restarts, an administrator runs `pg_terminate_backend`), it wakes every subscription —
/// notifications may have been lost while it was down — and listens again on a fresh connection
/// after a short backoff. Subscriptions never depend on it alone: they also poll every
/// `pollInterval`, so a lost notification delays them by at most that.
final class PostgresChangeListener: Sendable {
    /// Where the listening connection comes from.
    enum ConnectionSource: Sendable {
        /// A connection of its own, outside the pool.
        case dedicated(PostgresConnection.Configuration)
        /// A connection leased from the pool for as long as it listens.
        case pool(PostgresClient)
    }

    private let source: ConnectionSource
    private let channel: String
    private let payload: String
    private let signal: EventStoreChangeSignal
    private let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let connections = Atomic<Int>(0)

    init(source: ConnectionSource, channel: String, payload: String, signal: EventStoreChangeSignal, logger: Logger) {
        self.source = source
        self.channel = channel
        self.payload = payload
        self.signal = signal
        self.logger = logger
    }

    /// How many times the listener has started listening (1 after the first connection).
    var listenCount: Int { connections.load(ordering: .relaxed) }

    func start() {
        let listening = Task.detached { [self] in await listen() }
        task.withLock { $0 = listening }
    }

    func stop() {
        task.withLock { task in
            task?.cancel()
            task = nil
        }
    }

    private func listen() async {
        var backoff = Duration.milliseconds(50)
        while !Task.isCancelled {
            do {
                switch source {
                case .dedicated(let configuration):
                    let connection = try await PostgresConnection.connect(
                        configuration: configuration, id: Int.random(in: 1...Int(Int32.max)), logger: logger)
                    do {
                        try await listen(on: connection, resetting: &backoff)
                    } catch {
                        try? await connection.close()
                        throw error
                    }
                    try? await connection.close()
                case .pool(let client):
                    try await client.withConnection { connection in
                        try await listen(on: connection, resetting: &backoff)
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("atomo: LISTEN connection lost; reconnecting", metadata: ["error": "\(String(reflecting: error))"])
            }
            signal.notify()
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(2))
        }
    }

    private func listen(on connection: PostgresConnection, resetting backoff: inout Duration) async throws {
        try await connection.listen(on: channel) { notifications in
            connections.add(1, ordering: .relaxed)
            backoff = .milliseconds(50)
            // Anything committed while no one listened is found by this wake-up.
            signal.notify()
            for try await notification in notifications where notification.payload == payload {
                signal.notify()
            }
        }
    }
}
