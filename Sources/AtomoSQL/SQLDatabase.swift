/// A SQL database that code can be written against once and run on SQLite or PostgreSQL.
///
/// Work happens in transactions whose bodies are synchronous and run on a thread the database
/// dedicates to them — never on Swift's cooperative pool and never on a network event loop — so a
/// body can run many statements without a suspension between them:
///
/// ```swift
/// try await database.writeTransaction { connection in
///     let p = connection.dialect.placeholder
///     try connection.execute("UPDATE counters SET value = value + 1 WHERE name = \(p(1))", [.text("events")])
/// }
/// let rows = try await database.readTransaction { connection in
///     try connection.query("SELECT name, value FROM counters", [])
/// }
/// ```
public protocol SQLDatabase: Sendable {
    /// The database's dialect.
    var dialect: SQLDialect { get }

    /// Runs `body` in a read-write transaction: committed when it returns, rolled back when it throws.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T

    /// Runs `body` in a read-only transaction that sees one consistent snapshot.
    func readTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T

    /// Stops accepting transactions: those already queued run to their end, then the connections
    /// close. Safe to call more than once. A transaction asked for afterwards throws an error whose
    /// ``SQLDatabaseError/isDatabaseClosed`` is true. Call it from outside the database's own
    /// transaction bodies.
    func close()
}

/// An error a ``SQLDatabase`` backend throws, as far as code written against AtomoSQL can act on it
/// without knowing the backend (each backend's error type adds its own details).
///
/// ```swift
/// do { try await database.writeTransaction { … } }
/// catch let error as any SQLDatabaseError where error.isDatabaseClosed { … }   // shutting down
/// ```
public protocol SQLDatabaseError: Error, Sendable {
    /// Whether the error says that the database was closed (a transaction asked for after
    /// ``SQLDatabase/close()``).
    var isDatabaseClosed: Bool { get }
}

/// A connection inside a transaction of a ``SQLDatabase``. Use it only inside the body it was given to.
public protocol SQLConnection {
    /// The database's dialect.
    var dialect: SQLDialect { get }

    /// Runs a statement that returns no rows; returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ values: [SQLValue]) throws -> Int

    /// Runs the same statement once for each row of values (a prepared statement, reused).
    func executeMany(_ sql: String, _ rows: [[SQLValue]]) throws

    /// Runs a query and returns its rows.
    func query(_ sql: String, _ values: [SQLValue]) throws -> [SQLRow]
}

extension SQLConnection {
    /// The first column of the first row as an integer, or nil.
    public func scalar(_ sql: String, _ values: [SQLValue] = []) throws -> Int64? {
        guard let row = try query(sql, values).first, let value = row.values.first else { return nil }
        if case .integer(let integer) = value { return integer }
        return nil
    }

    /// Whether a table named `name` exists (in the current schema, on PostgreSQL); runs the
    /// dialect's ``SQLDialect/tableExistsQuery``.
    public func tableExists(_ name: String) throws -> Bool {
        try !query(dialect.tableExistsQuery, [.text(name)]).isEmpty
    }
}

/// One row of a query result.
public struct SQLRow: Sendable, Hashable {
    /// The column names, in order.
    public let columns: [String]
    /// The values, in column order.
    public let values: [SQLValue]

    /// Creates a row.
    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of column `name`, or `.null` when there is no such column.
    public subscript(name: String) -> SQLValue {
        guard let index = columns.firstIndex(of: name) else { return .null }
        return values[index]
    }

    /// The value at `index`, or `.null` when out of range.
    public subscript(index: Int) -> SQLValue {
        values.indices.contains(index) ? values[index] : .null
    }
}

extension SQLValue {
    /// The integer, or nil for other kinds.
    public var integer: Int64? { if case .integer(let value) = self { value } else { nil } }
    /// The text, or nil for other kinds.
    public var text: String? { if case .text(let value) = self { value } else { nil } }
    /// The number as a double (integers convert), or nil for other kinds.
    public var real: Double? {
        switch self {
        case .real(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }
}
