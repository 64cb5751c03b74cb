import AtomoEvents
import AtomoSQL
import Logging
import PostgresNIO

/// Brings a schema's event store tables to the current version.
///
/// Safe when several processes start at once: each takes a session advisory lock keyed on the
/// schema (on one leased connection) before it looks at `atomo_migrations`, so the first creates
/// the tables and the others find them done. Each version's statements run in one transaction.
struct PostgresEventStoreMigrator {
    let client: PostgresClient
    let schema: SQLIdentifier
    let rowLevelSecurity: Bool
    let logger: Logger

    func migrate() async throws {
        let s = schema.quoted
        let lockKey = PostgresEventStoreSchema.lockKey(for: schema)
        try await client.withConnection { connection in
            try await connection.query(
                "SELECT pg_advisory_lock(\(PostgresEventStoreSchema.migrationLockClass), \(lockKey))", logger: logger)
            do {
                try await run("CREATE SCHEMA IF NOT EXISTS \(s)", on: connection)
                try await run(
                    "CREATE TABLE IF NOT EXISTS \(s).atomo_migrations (module text PRIMARY KEY, version integer NOT NULL)",
                    on: connection)
                let rows = try await connection.query(
                    PostgresQuery(
                        unsafeSQL: "SELECT version FROM \(s).atomo_migrations WHERE module = $1",
                        binds: bindings(PostgresEventStoreSchema.module)),
                    logger: logger)
                var version = 0
                for try await row in rows { version = Int(try row.decode(Int32.self)) }
                if version > PostgresEventStoreSchema.currentVersion {
                    throw EventStoreError.storageFailure(
                        "the event store schema \(schema) is version \(version), newer than this library's \(PostgresEventStoreSchema.currentVersion)")
                }
                let migrations = PostgresEventStoreSchema.migrations(schema: schema)
                while version < migrations.count {
                    let next = version + 1
                    try await inTransaction(on: connection) {
                        for statement in migrations[version] {
                            try await run(statement, on: connection)
                        }
                        var binds = PostgresBindings(capacity: 2)
                        binds.append(PostgresEventStoreSchema.module)
                        binds.append(Int32(next))
                        try await connection.query(
                            PostgresQuery(
                                unsafeSQL: """
                                    INSERT INTO \(s).atomo_migrations (module, version) VALUES ($1, $2)
                                    ON CONFLICT (module) DO UPDATE SET version = excluded.version
                                    """,
                                binds: binds),
                            logger: logger)
                    }
                    version = next
                }
                if rowLevelSecurity {
                    try await inTransaction(on: connection) {
                        for statement in PostgresEventStoreSchema.rowLevelSecurity(schema: schema) {
                            try await run(statement, on: connection)
                        }
                    }
                }
            } catch {
                _ = try? await connection.query(
                    "SELECT pg_advisory_unlock(\(PostgresEventStoreSchema.migrationLockClass), \(lockKey))", logger: logger)
                throw error
            }
            try await connection.query(
                "SELECT pg_advisory_unlock(\(PostgresEventStoreSchema.migrationLockClass), \(lockKey))", logger: logger)
        }
    }

    private func run(_ sql: String, on connection: PostgresConnection) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    private func inTransaction(on connection: PostgresConnection, _ body: () async throws -> Void) async throws {
        try await run("BEGIN", on: connection)
        do {
            try await body()
            try await run("COMMIT", on: connection)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    private func bindings(_ text: String) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(text)
        return binds
    }
}
