import AtomoSQL
import AtomoSQLite
import AtomoTesting
import Foundation
import Testing

/// The `SQLDatabase` conformance suite on SQLite: each check in a fresh database file (WAL, readers
/// beside the writer), with both `SQLiteDatabase` configurations of the WAL writes.
@Suite("SQLDatabase conformance on SQLite")
struct SQLiteDatabaseConformanceTests {
    static func suite(gathersWALWrites: Bool) -> SQLDatabaseConformance {
        // SQLite text holds NUL characters: they round-trip.
        SQLDatabaseConformance(capabilities: .init(textAllowsNUL: true)) {
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("atomo-sql-conformance-\(UUID().uuidString).sqlite").path
            return try SQLiteDatabase(
                path: path, configuration: .init(readerCount: 2, gathersWALWrites: gathersWALWrites))
        }
    }

    @Test("the suite has checks to run")
    func suiteIsNotEmpty() {
        // Each check asserts inside AtomoTesting's suite; an empty list would make the two tests
        // below pass without testing anything.
        #expect(SQLDatabaseConformance.checks.count >= 10)
    }

    @Test("SQLiteDatabase", arguments: SQLDatabaseConformance.checks)
    func sqlite(_ check: SQLDatabaseConformance.Check) async throws {
        try await Self.suite(gathersWALWrites: true).run(check)
    }

    @Test("SQLiteDatabase on SQLite's own VFS", arguments: SQLDatabaseConformance.checks)
    func sqliteDefaultVFS(_ check: SQLDatabaseConformance.Check) async throws {
        try await Self.suite(gathersWALWrites: false).run(check)
    }
}
