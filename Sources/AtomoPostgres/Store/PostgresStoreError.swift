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
            case .poolClosed, .clientClosedConnection: return .closed
            default: return .storageFailure("PostgreSQL client: \(error.code)")
            }
        case is CancellationError:
            return .storageFailure("cancelled")
        default:
            return .storageFailure("\(error)")
        }
    }
}
