internal import CSQLite
public import AtomoSQL

/// A prepared statement owned by one ``SQLiteConnection``.
///
/// Bind parameters by 1-based index, step through rows, read columns by 0-based index. A statement
/// from ``SQLiteConnection/cachedStatement(_:)`` is reset and cleared before it is handed out again.
///
/// ```swift
/// let insert = try connection.cachedStatement("INSERT INTO notes(body, at) VALUES (?1, ?2)")
/// try insert.bind("hello", at: 1)
/// try insert.bind(Int64(1_700_000_000), at: 2)
/// try insert.run()
/// ```
///
/// Not thread-safe: use it only on the thread that owns its connection.
public final class SQLiteStatement {
    let handle: OpaquePointer
    /// The statement's SQL.
    public let sql: String
    private let connection: OpaquePointer

    init(connection: OpaquePointer, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw SQLiteError.from(connection, code: code, sql: sql)
        }
        self.handle = statement
        self.sql = sql
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: Binding

    @inline(__always)
    private func check(_ code: Int32) throws(SQLiteError) {
        if code != SQLITE_OK { throw SQLiteError.from(connection, code: code, sql: sql) }
    }

    /// Binds an integer.
    @inlinable public func bind(_ value: Int64, at index: Int32) throws(SQLiteError) { try bindInteger(value, index) }
    /// Binds an integer.
    @inlinable public func bind(_ value: Int, at index: Int32) throws(SQLiteError) { try bindInteger(Int64(value), index) }

    @usableFromInline func bindInteger(_ value: Int64, _ index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds a double.
    public func bind(_ value: Double, at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_double(handle, index, value))
    }

    /// Binds text, or `NULL` when `value` is nil.
    public func bind(_ value: String?, at index: Int32) throws(SQLiteError) {
        guard var value else { return try bindNull(at: index) }
        let code = value.withUTF8 { utf8 -> Int32 in
            guard let base = utf8.baseAddress else {
                return sqlite3_bind_text(handle, index, "", 0, atomo_sqlite_transient())
            }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) { text in
                sqlite3_bind_text(handle, index, text, Int32(utf8.count), atomo_sqlite_transient())
            }
        }
        try check(code)
    }

    /// Binds bytes as a BLOB.
    public func bind(blob bytes: UnsafeRawBufferPointer, at index: Int32) throws(SQLiteError) {
        // A zero-length blob still needs a non-null pointer, or SQLite stores NULL.
        let code: Int32
        if let base = bytes.baseAddress {
            code = sqlite3_bind_blob(handle, index, base, Int32(bytes.count), atomo_sqlite_transient())
        } else {
            code = sqlite3_bind_zeroblob(handle, index, 0)
        }
        try check(code)
    }

    /// Binds bytes as a BLOB.
    public func bind(blob bytes: [UInt8], at index: Int32) throws(SQLiteError) {
        let code = bytes.withUnsafeBytes { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return sqlite3_bind_zeroblob(handle, index, 0) }
            return sqlite3_bind_blob(handle, index, base, Int32(buffer.count), atomo_sqlite_transient())
        }
        try check(code)
    }

    /// Binds `NULL`.
    public func bindNull(at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_null(handle, index))
    }

    /// Binds any ``SQLValue``.
    public func bind(_ value: SQLValue, at index: Int32) throws(SQLiteError) {
        switch value {
        case .null: try bindNull(at: index)
        case .integer(let integer): try bind(integer, at: index)
        case .real(let real): try bind(real, at: index)
        case .text(let text): try bind(text, at: index)
        case .blob(let bytes): try bind(blob: bytes, at: index)
        }
    }

    /// Binds `values` to parameters 1, 2, 3, ….
    public func bind(_ values: [SQLValue]) throws(SQLiteError) {
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
    }

    // MARK: Stepping

    /// Advances to the next row; returns false when the statement is done.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = SQLiteError.from(connection, code: code, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Runs the statement to completion, ignoring any rows, then resets it.
    public func run() throws(SQLiteError) {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// Resets the statement so it can run again, keeping its bindings.
    public func reset() { sqlite3_reset(handle) }

    /// Resets the statement and clears every binding to `NULL`.
    public func clear() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Columns

    /// The number of result columns.
    public var columnCount: Int32 { sqlite3_column_count(handle) }

    /// The name of result column `index`.
    public func columnName(at index: Int32) -> String {
        sqlite3_column_name(handle, index).map { String(cString: $0) } ?? ""
    }

    /// Whether column `index` of the current row is `NULL`.
    public func isNull(at index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }

    /// Column `index` as an integer (0 for `NULL`).
    public func int64(at index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// Column `index` as a double.
    public func double(at index: Int32) -> Double { sqlite3_column_double(handle, index) }

    /// Column `index` as text, or nil for `NULL`.
    public func string(at index: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, index) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// Calls `body` with the bytes of column `index` (empty for `NULL`), valid only inside `body`.
    public func withBytes<T, E: Error>(at index: Int32, _ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
        let pointer = sqlite3_column_blob(handle, index)
        let count = Int(sqlite3_column_bytes(handle, index))
        return try body(UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
    }

    /// The bytes of BLOB column `index` (empty for `NULL` and for a zero-length value).
    ///
    /// For hot loops that copy the bytes out at once (the event stores' row decoding): the buffer
    /// belongs to SQLite and is valid only until the next ``step()``, ``reset()``, or access to the
    /// same column as another type. ``withBytes(at:_:)`` is the safe form.
    package func unsafeBlob(at index: Int32) -> UnsafeRawBufferPointer {
        // One `sqlite3_column_*` call, then the cheap `sqlite3_value_*` accessors: each column
        // call enters the connection's mutex and checks for a failed allocation on the way out,
        // which made up a sixth of the time spent reading the event log. SQLite calls the value
        // "unprotected" (read without the connection mutex): safe because a connection is only
        // ever used by one thread at a time, and is opened NOMUTEX anyway.
        let value = sqlite3_column_value(handle, index)
        guard let pointer = sqlite3_value_blob(value) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_value_bytes(value)))
    }

    /// The UTF-8 bytes of TEXT column `index`, or nil for `NULL` (an empty text is an empty,
    /// non-nil buffer), in one column call (see ``unsafeBlob(at:)``).
    ///
    /// The same lifetime rule as ``unsafeBlob(at:)`` applies: copy the bytes out before the next
    /// ``step()`` or ``reset()``.
    package func unsafeText(at index: Int32) -> UnsafeRawBufferPointer? {
        let value = sqlite3_column_value(handle, index)
        guard sqlite3_value_type(value) != SQLITE_NULL else { return nil }
        guard let pointer = sqlite3_value_text(value) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_value_bytes(value)))
    }

    /// Column `index` as bytes (empty for `NULL`).
    public func bytes(at index: Int32) -> [UInt8] {
        withBytes(at: index) { Array($0) }
    }

    /// Column `index` as a ``SQLValue``.
    public func value(at index: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: .integer(int64(at: index))
        case SQLITE_FLOAT: .real(double(at: index))
        case SQLITE_TEXT: .text(string(at: index) ?? "")
        case SQLITE_BLOB: .blob(bytes(at: index))
        default: .null
        }
    }
}
