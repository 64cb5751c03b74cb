import AtomoEvents
import Logging
import PostgresNIO
import Synchronization

/// Sends `NOTIFY` after appends commit, coalescing bursts into one notification.
///
/// Appends do not notify inside their own transaction on purpose: a transaction that issued
/// `NOTIFY` takes a database-wide lock at commit and holds it through its WAL flush, which would
/// serialise every append's commit. Instead each committed append asks this notifier to send one
/// `pg_notify` on its own; appends that commit while one is being sent share the next. A lost
/// notification (the process dies first) only costs subscribers elsewhere one polling interval.
final class PostgresChangeNotifier: Sendable {
    private struct State {
        var requested = false
        var sending = false
    }

    private let client: PostgresClient
    private let channel: String
    private let payload: String
    private let logger: Logger
    private let state = Mutex(State())

    init(client: PostgresClient, channel: String, payload: String, logger: Logger) {
        self.client = client
        self.channel = channel
        self.payload = payload
        self.logger = logger
    }

    /// Asks for a notification; returns at once.
    func changed() {
        let mustStart = state.withLock { state -> Bool in
            state.requested = true
            guard !state.sending else { return false }
            state.sending = true
            return true
        }
        guard mustStart else { return }
        Task.detached { [self] in await send() }
    }

    private func send() async {
        while true {
            let more = state.withLock { state -> Bool in
                if state.requested {
                    state.requested = false
                    return true
                }
                state.sending = false
                return false
            }
            guard more else { return }
            do {
                try await client.query("SELECT pg_notify(\(channel), \(payload))", logger: logger)
            } catch {
                logger.debug("atomo: NOTIFY failed; subscribers elsewhere fall back to polling", metadata: ["error": "\(String(reflecting: error))"])
            }
        }
    }
}
