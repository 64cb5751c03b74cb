internal import CSQLite

/// An error reported by SQLite, with everything needed to understand it.
///
/// ```swift
/// do { try connection.execute("INSERT INTO t VALUES (1)") }
/// catch let error as SQLiteError where error.code == SQLiteError.Code.constraint { … }
/// ```
public struct SQLiteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The primary result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`, …), as in ``Code``.
    public let code: Int32
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE`, …).
    public let extendedCode: Int32
    /// SQLite's message.
    public let message: String
    /// The statement that failed, when there was one.
    public let sql: String?

    /// Creates an error from its parts.
    public init(code: Int32, extendedCode: Int32? = nil, message: String, sql: String? = nil) {
        self.code = code
        self.extendedCode = extendedCode ?? code
        self.message = message
        self.sql = sql
    }

    /// The primary result codes that callers commonly branch on.
    public enum Code {
        /// `SQLITE_ERROR`: a generic error, often bad SQL.
        public static let error: Int32 = 1
        /// `SQLITE_BUSY`: the database file is locked by another connection.
        public static let busy: Int32 = 5
        /// `SQLITE_LOCKED`: a table is locked within this process.
        public static let locked: Int32 = 6
        /// `SQLITE_IOERR`: an operating-system I/O error.
        public static let ioError: Int32 = 10
        /// `SQLITE_CORRUPT`: the database file is malformed.
        public static let corrupt: Int32 = 11
        /// `SQLITE_CANTOPEN`: the file could not be opened.
        public static let cantOpen: Int32 = 14
        /// `SQLITE_CONSTRAINT`: a constraint was violated.
        public static let constraint: Int32 = 19
        /// `SQLITE_NOTADB`: the file is not a database.
        public static let notADatabase: Int32 = 26
        /// `SQLITE_CONSTRAINT_UNIQUE` (extended).
        public static let constraintUnique: Int32 = 2067
        /// `SQLITE_CONSTRAINT_PRIMARYKEY` (extended).
        public static let constraintPrimaryKey: Int32 = 1555
    }

    /// The error for work submitted to a closed ``SQLiteDatabase`` (`SQLITE_MISUSE`).
    public static let databaseClosed = SQLiteError(code: 21, message: "the database is closed")

    /// Whether the error means the file is damaged or is not a database at all.
    public var isCorruption: Bool { code == Code.corrupt || code == Code.notADatabase }

    /// Whether the error is a UNIQUE or PRIMARY KEY violation.
    public var isUniqueViolation: Bool {
        extendedCode == Code.constraintUnique || extendedCode == Code.constraintPrimaryKey
    }

    /// `SQLite error 19 (…): message — SQL: …`
    public var description: String {
        var text = "SQLite error \(extendedCode): \(message)"
        if let sql { text += " — SQL: \(sql)" }
        return text
    }

    /// Reads the current error of `handle`.
    static func from(_ handle: OpaquePointer?, code: Int32, sql: String?) -> SQLiteError {
        let message = handle.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        let extended = handle.map { sqlite3_extended_errcode($0) } ?? code
        return SQLiteError(code: code & 0xFF, extendedCode: extended, message: message, sql: sql)
    }
}
