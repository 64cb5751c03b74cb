import AtomoPostgres
import AtomoSQL
import AtomoTesting
import Testing

/// The `SQLDatabase` conformance suite on PostgreSQL: each check in a `PostgresSQLDatabase` of its own,
/// in a fresh schema.
@Suite("SQLDatabase conformance on PostgreSQL", TestEnvironment.postgres.trait)
struct PostgresSQLDatabaseConformanceTests {
    // PostgreSQL's text cannot hold NUL: such text is refused with a PostgresSQLDatabaseError (22021).
    static let suite = SQLDatabaseConformance(capabilities: .init(textAllowsNUL: false)) {
        try PostgresSQLDatabase(
            url: try #require(PostgresTestDatabase.url), schema: try PostgresTestDatabase.freshSchema(), threads: 3)
    }

    @Test("PostgresSQLDatabase", arguments: SQLDatabaseConformance.checks)
    func postgres(_ check: SQLDatabaseConformance.Check) async throws {
        try await Self.suite.run(check)
    }
}
