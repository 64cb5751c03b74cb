import AtomoPostgres
import AtomoSQL
import AtomoTesting
import Foundation
import Testing

/// `PostgresSQLDatabase`, the AtomoSQL seam on PostgreSQL.
@Suite("PostgresSQLDatabase", TestEnvironment.postgres.trait)
struct PostgresDatabaseTests {
    static func database() throws -> (PostgresSQLDatabase, SQLIdentifier) {
        let schema = try PostgresTestDatabase.freshSchema()
        return (try PostgresSQLDatabase(url: try #require(PostgresTestDatabase.url), schema: schema, threads: 2), schema)
    }

    @Test("values round-trip, execute counts changed rows, query returns named columns")
    func roundTrip() async throws {
        let (database, schema) = try Self.database()
        defer { database.close() }
        let changed = try await database.writeTransaction { connection in
            try connection.execute(
                "CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, score DOUBLE PRECISION, data BYTEA, doc JSONB, flag BOOLEAN)",
                [])
            let p = connection.dialect.placeholder
            try connection.executeMany(
                "INSERT INTO t (id, name, score, data, doc) VALUES (\(p(1)), \(p(2)), \(p(3)), \(p(4)), \(p(5)))",
                [
                    [.integer(1), .text("Ada"), .real(1.5), .blob([0, 1, 255]), .text(#"{"a": 1}"#)],
                    [.integer(2), .null, .null, .null, .null],
                    [.integer(3), .text("Grace"), .real(-2), .blob([]), .text("[]")],
                ])
            return try connection.execute("UPDATE t SET name = name || '!' WHERE name IS NOT NULL", [])
        }
        #expect(changed == 2)
        let rows = try await database.readTransaction { connection in
            try connection.query("SELECT id, name, score, data, doc, flag, count(*) OVER () AS total, sum(id) OVER () AS s FROM t ORDER BY id", [])
        }
        #expect(rows.count == 3)
        #expect(rows[0].columns == ["id", "name", "score", "data", "doc", "flag", "total", "s"])
        #expect(rows[0]["id"] == .integer(1))
        #expect(rows[0]["name"] == .text("Ada!"))
        #expect(rows[0]["score"] == .real(1.5))
        #expect(rows[0]["data"] == .blob([0, 1, 255]))
        #expect(rows[0]["doc"] == .text(#"{"a": 1}"#))
        #expect(rows[0]["total"] == .integer(3))
        #expect(rows[0]["s"] == .integer(6), "sum(bigint) is numeric, read as an integer")
        #expect(rows[1]["name"] == .null)
        #expect(rows[1]["data"] == .null)
        #expect(rows[2]["data"] == .blob([]))
        let scalar = try await database.readTransaction { connection in try connection.scalar("SELECT count(*) FROM t") }
        #expect(scalar == 3)
        await PostgresTestDatabase.drop(schema)
    }

    @Test("a throwing body rolls back; a failed statement fails the transaction")
    func rollback() async throws {
        let (database, schema) = try Self.database()
        defer { database.close() }
        struct Stop: Error {}
        try await database.writeTransaction { connection in
            try connection.execute("CREATE TABLE t (id BIGINT PRIMARY KEY)", [])
        }
        await #expect(throws: Stop.self) {
            try await database.writeTransaction { connection in
                try connection.execute("INSERT INTO t (id) VALUES ($1)", [.integer(1)])
                throw Stop()
            }
        }
        await #expect(throws: PostgresSQLDatabaseError.self) {
            try await database.writeTransaction { connection in
                try connection.execute("INSERT INTO t (id) VALUES ($1)", [.integer(2)])
                try connection.execute("INSERT INTO t (id) VALUES ($1)", [.integer(2)])
            }
        }
        // A body that swallows a failed statement cannot commit the rest.
        await #expect(throws: PostgresSQLDatabaseError.self) {
            try await database.writeTransaction { connection in
                try connection.execute("INSERT INTO t (id) VALUES ($1)", [.integer(3)])
                _ = try? connection.execute("INSERT INTO t (id) VALUES ($1)", [.integer(3)])
            }
        }
        let count = try await database.readTransaction { connection in try connection.scalar("SELECT count(*) FROM t") }
        #expect(count == 0)
        // The threads' connections are still usable.
        try await database.writeTransaction { connection in
            try connection.execute("INSERT INTO t (id) VALUES ($1)", [.integer(4)])
        }
        await PostgresTestDatabase.drop(schema)
    }

    @Test("transactions run in parallel on the database's threads")
    func parallel() async throws {
        let (database, schema) = try Self.database()
        defer { database.close() }
        try await database.writeTransaction { connection in
            try connection.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)", [])
            try connection.execute("INSERT INTO c VALUES (1, 0)", [])
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    _ = try await database.writeTransaction { connection in
                        try connection.execute("UPDATE c SET n = n + 1 WHERE id = $1", [.integer(1)])
                    }
                }
            }
            try await group.waitForAll()
        }
        let n = try await database.readTransaction { connection in try connection.scalar("SELECT n FROM c") }
        #expect(n == 50)
        await PostgresTestDatabase.drop(schema)
    }

    @Test("a closed database refuses transactions")
    func closed() async throws {
        let (database, _) = try Self.database()
        database.close()
        await #expect(throws: PostgresSQLDatabaseError.self) {
            try await database.readTransaction { connection in try connection.scalar("SELECT 1") }
        }
    }
}
