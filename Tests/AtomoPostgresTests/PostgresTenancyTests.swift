import AtomoEvents
import AtomoPostgres
import AtomoSQL
import AtomoTesting
import Foundation
import Logging
import PostgresNIO
import Testing

@Suite(TestEnvironment.postgres.trait)
struct PostgresTenancyTests {
    @Test func rowLevelSecurityHidesOtherTenantsFromHandWrittenSQL() async throws {
        let store = try await PostgresTestDatabase.store { $0.rowLevelSecurity = true }
        let schema = store.configuration.schema
        try await store.append([event("A1", tenant: "a"), event("A2", tenant: "a")], to: try StreamName("Account-a"))
        try await store.append([event("B1", tenant: "b")], to: try StreamName("Account-b"))
        #expect(try await store.readAll(after: 0, filter: .tenant("a")).map(\.type) == ["A1", "A2"])
        #expect(try await store.readAll(after: 0).count == 3, "the owner reads across tenants")

        let role = "atomo_tenant_\(schema.name)"
        try await PostgresTestDatabase.withClient { client in
            for statement in [
                "CREATE ROLE \(role) LOGIN",
                "GRANT USAGE ON SCHEMA \(schema.quoted) TO \(role)",
                "GRANT SELECT ON ALL TABLES IN SCHEMA \(schema.quoted) TO \(role)",
            ] {
                try await client.query(PostgresQuery(unsafeSQL: statement))
            }
        }
        let seen = try await PostgresTestDatabase.withClient(username: role) { client in
            try await client.withConnection { connection in
                let logger = Logger(label: "test")
                try await connection.query("BEGIN", logger: logger)
                try await connection.query("SELECT set_config('atomo.tenant_id', 'a', true)", logger: logger)
                var tenants: [String?] = []
                for try await tenant in try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT tenant_id FROM \(schema.quoted).atomo_events ORDER BY position"),
                    logger: logger
                ).decode(String?.self) { tenants.append(tenant) }
                var bStreams = 0
                for try await count in try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(schema.quoted).atomo_streams WHERE name = 'Account-b'"),
                    logger: logger
                ).decode(Int64.self) { bStreams = Int(count) }
                try await connection.query("COMMIT", logger: logger)
                var unscoped = 0
                for try await count in try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(schema.quoted).atomo_events"), logger: logger
                ).decode(Int64.self) { unscoped = Int(count) }
                return (tenants, bStreams, unscoped)
            }
        }
        #expect(seen.0 == ["a", "a"], "tenant a sees only its own events")
        #expect(seen.1 == 0, "nor tenant b's streams")
        #expect(seen.2 == 0, "without the setting, nothing")

        await store.close()
        await PostgresTestDatabase.drop(schema)
        _ = try? await PostgresTestDatabase.withClient { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP ROLE IF EXISTS \(role)"))
        }
    }
}
