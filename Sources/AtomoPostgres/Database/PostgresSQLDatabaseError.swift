public import AtomoSQL
import PostgresNIO

/// An error of ``PostgresSQLDatabase``: a statement the server refused, a lost connection, or a
/// closed database.
///
/// ```swift
/// do { try connection.execute("INSERT INTO t (id) VALUES ($1)", [.integer(1)]) }
/// catch let error as PostgresSQLDatabaseError where error.sqlState == "23505" { … }   // unique violation
/// ```
public struct PostgresSQLDatabaseError: SQLDatabaseError, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Hashable {
        /// The server refused a statement (see ``PostgresSQLDatabaseError/sqlState``).
        case server
        /// The connection could not be opened, or was lost; a later transaction uses a new one.
        case connection
        /// The transaction was rolled back by the server when it was committed.
        case rolledBack
        /// The database is closed.
        case closed
    }

    /// The kind of failure.
    public let kind: Kind
    /// The server's SQLSTATE (`23505` for a unique violation, `40001` for a serialisation failure …),
    /// when the server reported the error.
    public let sqlState: String?
    /// The message.
    public let message: String

    /// Creates an error from its parts.
    public init(kind: Kind, sqlState: String? = nil, message: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
    }

    /// Whether the kind is ``Kind/closed``.
    public var isDatabaseClosed: Bool { kind == .closed }

    /// A human-readable explanation.
    public var description: String {
        switch kind {
        case .server: "PostgreSQL \(sqlState ?? "?"): \(message)"
        case .connection: "PostgreSQL connection: \(message)"
        case .rolledBack: "PostgreSQL rolled the transaction back: \(message)"
        case .closed: "the PostgreSQL database is closed"
        }
    }

    /// Maps a PostgresNIO error.
    static func map(_ error: any Error) -> PostgresSQLDatabaseError {
        switch error {
        case let error as PostgresSQLDatabaseError:
            return error
        case let error as PSQLError:
            if error.code == .server, let info = error.serverInfo {
                let detail = info[.detail].map { " (\($0))" } ?? ""
                return PostgresSQLDatabaseError(
                    kind: .server, sqlState: info[.sqlState], message: (info[.message] ?? "unknown server error") + detail)
            }
            return PostgresSQLDatabaseError(kind: .connection, message: "\(error.code)")
        default:
            return PostgresSQLDatabaseError(kind: .connection, message: "\(error)")
        }
    }

    /// Whether the connection that produced this error can no longer be used.
    var breaksConnection: Bool {
        switch kind {
        case .connection, .closed: true
        case .server:
            // Class 08 (connection exception), 57P01–57P03 (administrator shutdown, crash, cannot connect).
            sqlState.map { $0.hasPrefix("08") || $0.hasPrefix("57P") } ?? false
        case .rolledBack: false
        }
    }
}
