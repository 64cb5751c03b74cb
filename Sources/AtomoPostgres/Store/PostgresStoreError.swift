import AtomoEvents
import PostgresNIO

/// Maps PostgreSQL and PostgresNIO errors to ``EventStoreError``.
enum PostgresStoreError {
    /// The SQLSTATE the append function raises on a wrong expected version (detail `index:actual`).
    static let wrongExpectedVersionState = "AT001"
    /// The SQLSTATE of a unique violation.
    static let uniqueViolationState = "23505"

    static func sqlState(of error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// Whether `error` is a lost or refused connection, which a retry on a fresh connection may fix.
    static func isConnectionFailure(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        guard error.code == .server else {
            // Everything but a server-reported SQL error is about the connection or the protocol
            // exchange on it (closed, reset, unclean shutdown, unexpected message): a fresh
            // connection may succeed. `poolClosed` means the store is closing; do not retry it.
            return error.code != .poolClosed
        }
        // Class 08 (connection exception), 53 (insufficient resources, e.g. too many connections)
        // and 57P01–57P03 (terminated by an administrator, crash shutdown, cannot connect now).
        let state = error.serverInfo?[.sqlState] ?? ""
        return state.hasPrefix("08") || state.hasPrefix("53") || state == "57P01" || state == "57P02" || state == "57P03"
    }

    static func map(_ error: any Error) -> EventStoreError {
        switch error {
        case let error as EventStoreError:
            return error
        case let error as PSQLError:
            if let info = error.serverInfo {
                let state = info[.sqlState] ?? "?"
                let message = info[.message] ?? "unknown server error"
                let detail = info[.detail].map { " (\($0))" } ?? ""
                return .storageFailure("PostgreSQL \(state): \(message)\(detail)")
            }
            switch error.code {
            case .poolClosed: return .closed
            default: return .storageFailure("PostgreSQL client: \(error.code)")
            }
        case is CancellationError:
            return .storageFailure("cancelled")
        default:
            return .storageFailure("\(error)")
        }
    }
}
