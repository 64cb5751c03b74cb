/// The differences between the SQL databases Atomo runs on, as far as code written once against
/// AtomoSQL needs to know them.
///
/// ```swift
/// let dialect = SQLDialect.sqlite
/// dialect.placeholder(1)   // "?1"
/// SQLDialect.postgres.placeholder(1)   // "$1"
/// ```
public struct SQLDialect: Sendable, Hashable {
    /// The dialect's name, for messages.
    public let name: String
    /// Whether placeholders are written `$n` (PostgreSQL) rather than `?n` (SQLite).
    public let usesDollarPlaceholders: Bool
    /// Whether the database supports `SELECT … FOR UPDATE SKIP LOCKED`.
    public let supportsSkipLocked: Bool
    /// Whether the database has LISTEN/NOTIFY.
    public let supportsNotifications: Bool

    /// Creates a dialect description.
    public init(name: String, usesDollarPlaceholders: Bool, supportsSkipLocked: Bool, supportsNotifications: Bool) {
        self.name = name
        self.usesDollarPlaceholders = usesDollarPlaceholders
        self.supportsSkipLocked = supportsSkipLocked
        self.supportsNotifications = supportsNotifications
    }

    /// SQLite 3.35 or later.
    public static let sqlite = SQLDialect(
        name: "sqlite", usesDollarPlaceholders: false, supportsSkipLocked: false, supportsNotifications: false)
    /// PostgreSQL 13 or later.
    public static let postgres = SQLDialect(
        name: "postgres", usesDollarPlaceholders: true, supportsSkipLocked: true, supportsNotifications: true)

    /// The placeholder for the 1-based parameter `index`.
    public func placeholder(_ index: Int) -> String {
        usesDollarPlaceholders ? "$\(index)" : "?\(index)"
    }
}
