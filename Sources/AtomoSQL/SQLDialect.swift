/// The differences between the SQL databases Atomo runs on, as far as code written once against
/// AtomoSQL needs to know them.
///
/// Code never asks "is this PostgreSQL?": it asks the dialect for the piece of SQL it needs — a
/// placeholder, a text column type that sorts byte-wise, a boolean literal, a NULLS ordering, a
/// case-insensitive LIKE, an upsert, a row-lock clause, a JSON extraction, a "does this table exist"
/// query. Each member renders exactly the SQL the database expects, and ``SQLDatabaseConformance``
/// (in AtomoTesting) runs every member against each real database.
///
/// ```swift
/// let dialect = SQLDialect.sqlite
/// dialect.placeholder(1)                                  // "?1"
/// SQLDialect.postgres.placeholder(1)                      // "$1"
/// SQLDialect.postgres.booleanLiteral(false)               // "FALSE"
/// SQLDialect.sqlite.caseInsensitiveLike("name", pattern: "?1")   // name LIKE ?1 ESCAPE '\'
/// ```
public struct SQLDialect: Sendable, Hashable {
    /// The database a dialect renders SQL for. Private: callers ask for behaviours, not for engines.
    private enum Engine: Sendable, Hashable {
        case sqlite
        case postgres
    }

    /// The dialect's name, for messages.
    public let name: String
    /// Whether placeholders are written `$n` (PostgreSQL) rather than `?n` (SQLite).
    ///
    /// Only ``placeholder(_:)`` reads it; every other difference is a member of its own.
    public let usesDollarPlaceholders: Bool
    /// Whether `SELECT … FOR UPDATE SKIP LOCKED` locks rows (PostgreSQL). Where it is false (SQLite),
    /// ``forUpdateSkipLocked`` renders as empty: a write transaction there holds the database's only
    /// write lock from its first statement, so no other transaction can claim the same rows anyway.
    public let supportsSkipLocked: Bool
    /// Whether the database has LISTEN/NOTIFY.
    public let supportsNotifications: Bool
    private let engine: Engine

    private init(name: String, engine: Engine) {
        self.name = name
        self.engine = engine
        self.usesDollarPlaceholders = engine == .postgres
        self.supportsSkipLocked = engine == .postgres
        self.supportsNotifications = engine == .postgres
    }

    /// SQLite 3.35 or later (with its JSON functions, built in since 3.38 and in most builds before).
    public static let sqlite = SQLDialect(name: "sqlite", engine: .sqlite)
    /// PostgreSQL 13 or later.
    public static let postgres = SQLDialect(name: "postgres", engine: .postgres)

    // MARK: - Placeholders

    /// The placeholder for the 1-based parameter `index`.
    public func placeholder(_ index: Int) -> String {
        usesDollarPlaceholders ? "$\(index)" : "?\(index)"
    }

    // MARK: - Column types and literals

    /// The type of a text column whose values compare and sort byte-wise (by Unicode code point),
    /// whatever the server's locale: `TEXT` on SQLite (its default `BINARY` collation),
    /// `TEXT COLLATE "C"` on PostgreSQL. Prefix `LIKE` patterns can use an index on such a column.
    public var binaryTextType: String {
        switch engine {
        case .sqlite: "TEXT"
        case .postgres: "TEXT COLLATE \"C\""
        }
    }

    /// The type of a column of raw bytes: `BLOB` on SQLite, `BYTEA` on PostgreSQL. ``SQLValue/blob(_:)``
    /// values (for example bytes that are not valid UTF-8) round-trip through it unchanged.
    public var blobType: String {
        switch engine {
        case .sqlite: "BLOB"
        case .postgres: "BYTEA"
        }
    }

    /// A boolean constant usable as a condition: `1`/`0` on SQLite, `TRUE`/`FALSE` on PostgreSQL
    /// (where an integer is not a condition).
    public func booleanLiteral(_ value: Bool) -> String {
        switch engine {
        case .sqlite: value ? "1" : "0"
        case .postgres: value ? "TRUE" : "FALSE"
        }
    }

    // MARK: - Ordering

    /// What to append to an `ORDER BY` term (or an index key) so that NULL sorts as the lowest
    /// value — first ascending, last descending — as SQLite does by itself: empty on SQLite,
    /// ` NULLS FIRST` / ` NULLS LAST` on PostgreSQL (whose NULL sorts highest by default).
    ///
    /// An index walked by such an `ORDER BY` must say the same in its key.
    public func nullsLowest(descending: Bool) -> String {
        switch engine {
        case .sqlite: ""
        case .postgres: descending ? " NULLS LAST" : " NULLS FIRST"
        }
    }

    /// An `ORDER BY` term: `expression ASC` or `expression DESC`, with NULL sorting as the lowest
    /// value on every dialect when `nullable` (see ``nullsLowest(descending:)``).
    public func orderTerm(_ expression: String, descending: Bool, nullable: Bool) -> String {
        let term = "\(expression) \(descending ? "DESC" : "ASC")"
        return nullable ? term + nullsLowest(descending: descending) : term
    }

    // MARK: - Matching

    /// `expression` matched against the LIKE pattern `pattern` (a placeholder or a quoted literal)
    /// without regard to the case of ASCII letters, with `\` as the escape character:
    /// `LIKE … ESCAPE '\'` on SQLite (case-insensitive for ASCII by default), `ILIKE … ESCAPE '\'` on
    /// PostgreSQL. On a ``binaryTextType`` column, letters outside ASCII match only themselves on both.
    /// Build patterns from user text with ``escapeLikePattern(_:)``.
    public func caseInsensitiveLike(_ expression: String, pattern: String) -> String {
        switch engine {
        case .sqlite: "\(expression) LIKE \(pattern) ESCAPE '\\'"
        case .postgres: "\(expression) ILIKE \(pattern) ESCAPE '\\'"
        }
    }

    /// `text` with `\`, `%` and `_` escaped by `\`, so that each stands for itself in a pattern of
    /// ``caseInsensitiveLike(_:pattern:)``: `"50%_off"` becomes `"50\%\_off"`.
    public static func escapeLikePattern(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            if character == "\\" || character == "%" || character == "_" { result.unicodeScalars.append("\\") }
            result.unicodeScalars.append(character)
        }
        return result
    }

    // MARK: - Row locks

    /// The clause that makes a `SELECT` in a write transaction lock the rows it returns and skip
    /// rows other transactions hold: ` FOR UPDATE SKIP LOCKED` on PostgreSQL; empty on SQLite, which
    /// has one writer at a time, so a write transaction already excludes every other (see
    /// ``supportsSkipLocked``). Append it to the end of the `SELECT`.
    public var forUpdateSkipLocked: String {
        switch engine {
        case .sqlite: ""
        case .postgres: " FOR UPDATE SKIP LOCKED"
        }
    }

    // MARK: - JSON

    /// The value at `path` inside the JSON text held by `expression` (a column or any text
    /// expression), as an SQL value of `type`, or NULL when the path is absent (or holds JSON `null`):
    /// `json_extract` on SQLite, `#>>` on PostgreSQL (after a cast to `jsonb`).
    ///
    /// ```swift
    /// let path = SQLJSONPath([.key(try SQLIdentifier("address")), .key(try SQLIdentifier("city"))])
    /// SQLDialect.sqlite.jsonExtract("payload", path: path, as: .text)    // json_extract(payload, '$.address.city')
    /// SQLDialect.postgres.jsonExtract("payload", path: path, as: .text)  // (payload)::jsonb #>> '{address,city}'
    /// ```
    ///
    /// Values read the same on both: `.text` gives a JSON string's content, `.integer` and `.real`
    /// a number, `.boolean` 1 or 0.
    public func jsonExtract(_ expression: String, path: SQLJSONPath, as type: SQLJSONPath.ValueType) -> String {
        switch engine {
        case .sqlite:
            let value = "json_extract(\(expression), '\(path.sqliteRendering)')"
            switch type {
            case .text: return value
            case .integer: return "CAST(\(value) AS INTEGER)"
            case .real: return "CAST(\(value) AS REAL)"
            // json_extract already gives 1 or 0 for true and false.
            case .boolean: return value
            }
        case .postgres:
            let value = "((\(expression))::jsonb #>> '\(path.postgresRendering)')"
            switch type {
            case .text: return value
            case .integer: return "\(value)::bigint"
            case .real: return "\(value)::double precision"
            case .boolean: return "\(value)::boolean"
            }
        }
    }

    // MARK: - Catalog

    /// A query with one placeholder, the table's name, that returns a row when a table of that name
    /// exists (in the connection's current schema on PostgreSQL). ``SQLConnection/tableExists(_:)``
    /// runs it.
    public var tableExistsQuery: String {
        switch engine {
        case .sqlite: "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = \(placeholder(1))"
        case .postgres:
            "SELECT 1 FROM information_schema.tables WHERE table_name = \(placeholder(1)) AND table_schema = current_schema()"
        }
    }
}
