import AtomoSQL
@testable import AtomoSQLite
import Foundation
import Testing

@Suite("AtomoSQLite")
struct SQLiteDatabaseTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("atomo-sqlite-\(UUID().uuidString).sqlite").path
    }

    @Test("statements bind and read every kind of value")
    func bindAndRead() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try connection.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)")
        let insert = try connection.cachedStatement("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)")
        try insert.bind([.integer(-42), .real(2.5), .text("héllo ✓"), .blob([0, 1, 255]), .null])
        try insert.run()
        let select = try connection.cachedStatement("SELECT i, r, s, b, n FROM t")
        #expect(try select.step())
        #expect(select.int64(at: 0) == -42)
        #expect(select.double(at: 1) == 2.5)
        #expect(select.string(at: 2) == "héllo ✓")
        #expect(select.bytes(at: 3) == [0, 1, 255])
        #expect(select.isNull(at: 4))
        #expect(select.value(at: 4) == .null)
        #expect(try select.step() == false)
        #expect(try connection.cachedStatement("SELECT 1") === connection.cachedStatement("SELECT 1"), "statements are cached")
    }

    @Test("raw column reads tell NULL from empty and read blobs and text in place")
    func rawColumns() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try connection.execute("CREATE TABLE t (s TEXT, b BLOB)")
        try connection.execute("INSERT INTO t VALUES ('héllo', x'00ff10'), ('', x''), (NULL, NULL)")
        let select = try connection.cachedStatement(literal: "SELECT s, b FROM t ORDER BY rowid")
        #expect(try select.step())
        #expect(select.unsafeText(at: 0).map { String(decoding: $0, as: UTF8.self) } == "héllo")
        #expect(Array(select.unsafeBlob(at: 1)) == [0, 255, 16])
        #expect(try select.step())
        #expect(select.unsafeText(at: 0)?.count == 0, "empty text is not NULL")
        #expect(select.unsafeBlob(at: 1).isEmpty)
        #expect(try select.step())
        #expect(select.unsafeText(at: 0) == nil)
        #expect(select.unsafeBlob(at: 1).isEmpty)
        #expect(try select.step() == false)
    }

    @Test("statements cached by literal are the ones cached by text, reset and cleared")
    func literalCache() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        let byLiteral = try connection.cachedStatement(literal: "SELECT ?1")
        #expect(byLiteral === (try connection.cachedStatement("SELECT ?1")))
        #expect(byLiteral === (try connection.cachedStatement(literal: "SELECT ?1")))
        try byLiteral.bind(Int64(7), at: 1)
        #expect(try byLiteral.step())
        #expect(byLiteral.int64(at: 0) == 7)
        let again = try connection.cachedStatement(literal: "SELECT ?1")
        #expect(try again.step())
        #expect(again.isNull(at: 0), "bindings are cleared when the statement is handed out again")
    }

    @Test("errors carry the code, the message and the SQL")
    func errors() throws {
        let connection = try SQLiteConnection(path: ":memory:")
        try connection.execute("CREATE TABLE t (x INTEGER UNIQUE)")
        #expect(throws: SQLiteError.self) { try connection.prepare("SELEC nonsense") }
        do {
            _ = try connection.prepare("SELECT * FROM missing_table")
            Issue.record("preparing against a missing table succeeded")
        } catch {
            #expect(error.code == SQLiteError.Code.error)
            #expect(error.message.contains("missing_table"))
            #expect(error.sql == "SELECT * FROM missing_table")
        }
        try connection.execute("INSERT INTO t VALUES (1)")
        do {
            try connection.execute("INSERT INTO t VALUES (1)")
            Issue.record("a duplicate passed a unique constraint")
        } catch {
            #expect(error.code == SQLiteError.Code.constraint)
            #expect(error.isUniqueViolation)
        }
    }

    @Test("a transaction commits when its body returns and rolls back when it throws")
    func transactions() throws {
        struct Abort: Error {}
        let connection = try SQLiteConnection(path: ":memory:")
        try connection.execute("CREATE TABLE t (x INTEGER)")
        try connection.transaction(.immediate) { try connection.execute("INSERT INTO t VALUES (1)") }
        #expect(throws: Abort.self) {
            try connection.transaction(.immediate) { () throws in
                try connection.execute("INSERT INTO t VALUES (2)")
                throw Abort()
            }
        }
        #expect(try connection.scalarInt64("SELECT count(*) FROM t") == 1)
        #expect(connection.isAutocommit)
    }

    @Test("jobs run on the database's own threads, never on the cooperative pool")
    func dedicatedThreads() async throws {
        let database = try await SQLiteDatabase.open(path: Self.temporaryPath())
        let writerThread = try await database.write { _ in currentThreadName() }
        let readerThread = try await database.read { _ in currentThreadName() }
        #expect(writerThread == "atomo-sql-w0")
        #expect(readerThread.hasPrefix("atomo-sql-r"))
        database.close()
    }

    @Test("readers see committed writes; WAL mode and the chosen durability are set")
    func readersAndPragmas() async throws {
        let database = try await SQLiteDatabase.open(
            path: Self.temporaryPath(), configuration: .init(readerCount: 2, durability: .full))
        try await database.write { connection in
            try connection.execute("CREATE TABLE t (x INTEGER)")
            try connection.transaction(.immediate) {
                for value in 0..<100 {
                    try connection.cachedStatement("INSERT INTO t VALUES (?1)").bind(Int64(value), at: 1)
                    let insert = try connection.cachedStatement("INSERT INTO t VALUES (?1)")
                    try insert.bind(Int64(value), at: 1)
                    try insert.run()
                }
            }
        }
        let count = try await database.read { try $0.scalarInt64("SELECT count(*) FROM t") }
        #expect(count == 100)
        let mode = try await database.read { connection -> String in
            let statement = try connection.prepare("PRAGMA journal_mode")
            _ = try statement.step()
            return statement.string(at: 0) ?? ""
        }
        #expect(mode == "wal")
        #expect(try await database.write { try $0.scalarInt64("PRAGMA synchronous") } == 2, "FULL is 2")
        // Many concurrent reads complete (the pool has fewer connections than callers).
        try await withThrowingTaskGroup(of: Int64?.self) { group in
            for _ in 0..<50 { group.addTask { try await database.read { try $0.scalarInt64("SELECT sum(x) FROM t") } } }
            for try await sum in group { #expect(sum == 4950) }
        }
        database.close()
        await #expect(throws: SQLiteError.databaseClosed) { try await database.read { _ in 1 } }
    }

    @Test("identifiers are validated before they are quoted")
    func identifiers() throws {
        #expect(try SQLIdentifier("atomo_events").quoted == "\"atomo_events\"")
        for bad in ["", "1abc", "a b", "a\"b", "x;DROP TABLE y", String(repeating: "a", count: 64)] {
            #expect(throws: SQLIdentifierError.self) { try SQLIdentifier(bad) }
        }
        #expect(SQLDialect.sqlite.placeholder(3) == "?3")
        #expect(SQLDialect.postgres.placeholder(3) == "$3")
    }
}
