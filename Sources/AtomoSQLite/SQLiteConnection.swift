internal import CSQLite
internal import CSQLiteWAL

/// One SQLite connection: open, configure, run SQL, cache prepared statements, run transactions.
///
/// A connection is used by one thread at a time. ``SQLiteDatabase`` gives each connection a
/// dedicated thread of its own, so blocking SQLite calls never run on Swift's cooperative pool.
///
/// ```swift
/// let connection = try SQLiteConnection(path: "notes.sqlite")
/// try connection.execute("CREATE TABLE IF NOT EXISTS notes(id INTEGER PRIMARY KEY, body TEXT)")
/// try connection.transaction(.immediate) {
///     let insert = try connection.cachedStatement("INSERT INTO notes(body) VALUES (?1)")
///     try insert.bind("hello", at: 1)
///     try insert.run()
/// }
/// ```
public final class SQLiteConnection {
    /// How a transaction takes its locks.
    public enum TransactionKind: Sendable {
        /// `BEGIN DEFERRED`: locks are taken on first use. For reads.
        case deferred
        /// `BEGIN IMMEDIATE`: the write lock is taken at once, so the transaction cannot fail
        /// later with `SQLITE_BUSY` when it first writes.
        case immediate
    }

    let handle: OpaquePointer
    /// The path the connection was opened with (`:memory:` for a private in-memory database).
    public let path: String
    private var statements: [String: SQLiteStatement] = [:]
    /// The statements of ``cachedStatement(literal:)`` by the address of their SQL literal (each
    /// also in `statements`, under its text).
    private var literalStatements: [UnsafeRawPointer: SQLiteStatement] = [:]
    /// Keeps the WAL hook's closure alive as long as the connection (see ``onWALCommit(_:)``).
    private var walHook: WALHook?

    /// Opens (and, for a writable connection, creates) the database at `path`.
    ///
    /// - Parameters:
    ///   - path: a file path, `:memory:`, or a `file:` URI.
    ///   - readOnly: open without write access.
    ///   - busyTimeout: how long to wait for a lock held by another connection before `SQLITE_BUSY`.
    ///   - gathersWALWrites: open through the `atomo-wal` VFS, which writes the frames of each
    ///     commit to the write-ahead log in writes of up to 128 KiB instead of two per page (see
    ///     ``SQLiteDatabase/Configuration/gathersWALWrites``).
    public init(
        path: String, readOnly: Bool = false, busyTimeout: Duration = .seconds(5), gathersWALWrites: Bool = false
    ) throws(SQLiteError) {
        var handle: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
        if gathersWALWrites {
            let registered = atomo_wal_vfs_register()
            guard registered == SQLITE_OK else {
                let reason = String(cString: sqlite3_errstr(registered))
                throw SQLiteError(
                    code: registered, extendedCode: registered, message: "cannot register the atomo-wal VFS: \(reason)")
            }
        }
        let code = sqlite3_open_v2(path, &handle, flags, gathersWALWrites ? atomo_wal_vfs_name : nil)
        guard code == SQLITE_OK, let handle else {
            let error = SQLiteError.from(handle, code: code, sql: nil)
            sqlite3_close_v2(handle)
            throw error
        }
        self.handle = handle
        self.path = path
        let (seconds, attoseconds) = busyTimeout.components
        sqlite3_busy_timeout(handle, Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }

    deinit {
        literalStatements.removeAll()
        statements.removeAll()
        sqlite3_close_v2(handle)
        // The hook can no longer run: the handle is closed. Now its box may go.
        walHook = nil
    }

    /// Calls `body` after every commit of this connection with the number of frames in the WAL;
    /// when it returns true, runs a `PASSIVE` checkpoint right away on this connection.
    ///
    /// Replaces SQLite's automatic checkpoint (`PRAGMA wal_autocheckpoint`), which is itself a WAL hook.
    func onWALCommit(_ body: @escaping (Int32) -> Bool) {
        let hook = WALHook(body)
        walHook = hook
        sqlite3_wal_hook(
            handle,
            { context, handle, database, frames in
                // `context` is the connection's `WALHook`, alive for as long as `handle` is open.
                guard let context else { return SQLITE_OK }
                let hook = Unmanaged<WALHook>.fromOpaque(context).takeUnretainedValue()
                if hook.body(frames) {
                    _ = sqlite3_wal_checkpoint_v2(handle, database, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
                }
                return SQLITE_OK
            },
            Unmanaged.passUnretained(hook).toOpaque())
    }

    /// Copies committed WAL pages into the database file without waiting for any lock.
    func checkpointPassive() {
        _ = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
    }

    /// Runs one or more SQL statements that take no parameters and return no rows.
    public func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(message)
            throw SQLiteError(code: code & 0xFF, extendedCode: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// Prepares a statement that the caller owns.
    public func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        try SQLiteStatement(connection: handle, sql: sql)
    }

    /// Returns a prepared statement for `sql` from this connection's cache, reset and cleared.
    ///
    /// Preparing is the costly part of running SQL; hot paths call this with constant SQL.
    public func cachedStatement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let statement = statements[sql] {
            statement.clear()
            return statement
        }
        let statement = try SQLiteStatement(connection: handle, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// Returns a prepared statement for the compile-time constant `sql`, reset and cleared, from a
    /// cache keyed by the literal's address.
    ///
    /// The same statements as ``cachedStatement(_:)``, for the hottest paths: finding a statement
    /// there hashes and compares the whole SQL text (a few hundred bytes for an insert of many
    /// columns), here it hashes one pointer. An event store's group commit looks up four
    /// statements per append.
    ///
    /// ```swift
    /// let insert = try connection.cachedStatement(literal: "INSERT INTO notes(body) VALUES (?1)")
    /// ```
    public func cachedStatement(literal sql: StaticString) throws(SQLiteError) -> SQLiteStatement {
        guard sql.hasPointerRepresentation else { return try cachedStatement(sql.description) }
        let key = UnsafeRawPointer(sql.utf8Start)
        if let statement = literalStatements[key] {
            statement.clear()
            return statement
        }
        let statement = try cachedStatement(sql.description)
        literalStatements[key] = statement
        return statement
    }

    /// Runs one parameterless statement through the statement cache, ignoring any rows.
    ///
    /// For statements a hot path runs again and again (`SAVEPOINT x`, `RELEASE x`, `COMMIT`):
    /// ``execute(_:)`` parses its SQL on every call, this parses it once per connection.
    public func executeCached(_ sql: String) throws(SQLiteError) {
        try cachedStatement(sql).run()
    }

    /// Runs `sql` with `values` bound and returns the first column of the first row as an integer,
    /// or nil when there is no row or the value is `NULL`.
    public func scalarInt64(_ sql: String, _ values: [any SQLValueConvertible] = []) throws(SQLiteError) -> Int64? {
        let statement = try cachedStatement(sql)
        defer { statement.reset() }
        for (offset, value) in values.enumerated() { try value.bind(to: statement, at: Int32(offset + 1)) }
        guard try statement.step(), !statement.isNull(at: 0) else { return nil }
        return statement.int64(at: 0)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T, E: Error>(_ kind: TransactionKind = .deferred, _ body: () throws(E) -> T) throws -> T {
        // Cached: readers run one transaction per page or stream read, and parsing these again
        // each time showed in read profiles.
        try cachedStatement(literal: kind == .immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED").run()
        let result: T
        do {
            result = try body()
        } catch {
            rollback()
            throw error
        }
        do {
            try cachedStatement(literal: "COMMIT").run()
        } catch {
            rollback()
            throw error
        }
        return result
    }

    /// Rolls back the open transaction, if there is one. Never throws: a failed rollback leaves
    /// SQLite's own automatic rollback in charge.
    public func rollback() {
        if !isAutocommit { _ = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil) }
    }

    /// Whether no transaction is open.
    public var isAutocommit: Bool { sqlite3_get_autocommit(handle) != 0 }

    /// The rowid of the most recent successful INSERT.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// The number of rows inserted, updated or deleted since the connection opened.
    public var totalChanges: Int64 { sqlite3_total_changes64(handle) }

    /// The number of rows changed by the most recent statement.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// SQLite's `PRAGMA data_version`: changes whenever another connection commits.
    public func dataVersion() throws(SQLiteError) -> Int64 {
        try scalarInt64("PRAGMA data_version") ?? 0
    }

    /// The version of the SQLite library, e.g. `3.40.1`.
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }
}

/// The closure behind a connection's WAL hook.
private final class WALHook {
    let body: (Int32) -> Bool
    init(_ body: @escaping (Int32) -> Bool) { self.body = body }
}

/// A Swift value that can be bound to a statement parameter.
public protocol SQLValueConvertible {
    /// Binds `self` to parameter `index` of `statement`.
    func bind(to statement: SQLiteStatement, at index: Int32) throws(SQLiteError)
}

extension Int64: SQLValueConvertible {
    /// Binds the integer.
    public func bind(to statement: SQLiteStatement, at index: Int32) throws(SQLiteError) {
        try statement.bind(self, at: index)
    }
}

extension Int: SQLValueConvertible {
    /// Binds the integer.
    public func bind(to statement: SQLiteStatement, at index: Int32) throws(SQLiteError) {
        try statement.bind(Int64(self), at: index)
    }
}

extension String: SQLValueConvertible {
    /// Binds the text.
    public func bind(to statement: SQLiteStatement, at index: Int32) throws(SQLiteError) {
        try statement.bind(self, at: index)
    }
}
