public import AtomoSQL

extension SQLiteDatabase: SQLDatabase {
    /// ``SQLDialect/sqlite``.
    public var dialect: SQLDialect { .sqlite }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction on the writer thread.
    public func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await write { (connection: SQLiteConnection) in
            try connection.transaction(.immediate) { () throws -> T in try body(connection) }
        }
    }

    /// Runs `body` in a deferred (read) transaction on a reader thread.
    public func readTransaction<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await read { (connection: SQLiteConnection) in
            try connection.transaction(.deferred) { () throws -> T in try body(connection) }
        }
    }
}

extension SQLiteError: SQLDatabaseError {
    /// Whether this is ``SQLiteError/databaseClosed``: work asked of a closed ``SQLiteDatabase``.
    public var isDatabaseClosed: Bool { self == .databaseClosed }
}

extension SQLiteConnection: SQLConnection {
    /// ``SQLDialect/sqlite``.
    public var dialect: SQLDialect { .sqlite }

    /// Runs a statement (cached) with `values` bound; returns the rows changed.
    @discardableResult
    public func execute(_ sql: String, _ values: [SQLValue]) throws -> Int {
        let statement = try cachedStatement(sql)
        try statement.bind(values)
        try statement.run()
        return changes
    }

    /// Runs the cached statement once per row of values.
    public func executeMany(_ sql: String, _ rows: [[SQLValue]]) throws {
        let statement = try cachedStatement(sql)
        for values in rows {
            try statement.bind(values)
            try statement.run()
        }
    }

    /// Runs a query (cached statement) and returns its rows.
    public func query(_ sql: String, _ values: [SQLValue]) throws -> [SQLRow] {
        let statement = try cachedStatement(sql)
        defer { statement.reset() }
        try statement.bind(values)
        // The columns are read after the first step: a cached statement whose tables changed (a
        // view pointed at another table, an added column) is prepared again by that step, and only
        // then reports its new columns.
        var count: Int32 = 0
        var columns: [String]?
        var rows: [SQLRow] = []
        while try statement.step() {
            if columns == nil {
                count = statement.columnCount
                columns = (0..<count).map { statement.columnName(at: $0) }
            }
            rows.append(SQLRow(columns: columns ?? [], values: (0..<count).map { statement.value(at: $0) }))
        }
        return rows
    }
}
