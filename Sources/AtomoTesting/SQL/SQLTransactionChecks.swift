import AtomoSQL
import Dispatch
import Foundation

/// Transactions: commit, rollback, snapshots, concurrent writers, close.
enum SQLTransactionChecks {
    static let all: [SQLDatabaseConformance.Check] = [
        SQLDatabaseConformance.check("commitIsVisible", commitIsVisible),
        SQLDatabaseConformance.check("rollbackOnThrow", rollbackOnThrow),
        SQLDatabaseConformance.check("rollbackOnFailedStatement", rollbackOnFailedStatement),
        SQLDatabaseConformance.check("readTransactionSeesOneSnapshot", readTransactionSeesOneSnapshot),
        SQLDatabaseConformance.check("concurrentWritersLoseNoUpdate", concurrentWritersLoseNoUpdate),
        SQLDatabaseConformance.check("closeThenUseThrowsClosed", closeThenUseThrowsClosed),
    ]

    /// The error a check's body throws on purpose.
    struct Deliberate: Error {}

    static func createItems(_ database: any SQLDatabase) async throws {
        _ = try await database.writeTransaction { connection in
            try connection.execute(
                "CREATE TABLE items (id BIGINT PRIMARY KEY, name \(connection.dialect.binaryTextType) NOT NULL)", [])
        }
    }

    static func itemCount(_ database: any SQLDatabase) async throws -> Int64 {
        try await database.readTransaction { connection in try connection.scalar("SELECT count(*) FROM items") ?? -1 }
    }

    static func commitIsVisible(_ database: any SQLDatabase, _: SQLDatabaseConformance.Capabilities) async throws {
        try await createItems(database)
        let changed = try await database.writeTransaction { connection in
            let p = connection.dialect.placeholder
            let first = try connection.execute("INSERT INTO items (id, name) VALUES (\(p(1)), \(p(2)))", [1, "one"])
            try connection.executeMany(
                "INSERT INTO items (id, name) VALUES (\(p(1)), \(p(2)))", [[2, "two"], [3, "three"]])
            return first
        }
        try expectEqual(changed, 1, "execute returns the rows an INSERT changed")
        let rows = try await database.readTransaction { connection in
            try connection.query("SELECT id, name FROM items ORDER BY id", [])
        }
        try expectEqual(rows.map { $0["id"] }, [1, 2, 3])
        try expectEqual(rows.map { $0["name"] }, ["one", "two", "three"])
        try expectEqual(rows.first?.columns ?? [], ["id", "name"], "a row names its columns")
        let updated = try await database.writeTransaction { connection in
            try connection.execute("UPDATE items SET name = name WHERE id >= 2", [])
        }
        try expectEqual(updated, 2, "execute returns the rows an UPDATE changed")
    }

    static func rollbackOnThrow(_ database: any SQLDatabase, _: SQLDatabaseConformance.Capabilities) async throws {
        try await createItems(database)
        do {
            try await database.writeTransaction { connection in
                let p = connection.dialect.placeholder
                try connection.execute("INSERT INTO items (id, name) VALUES (\(p(1)), \(p(2)))", [1, "one"])
                throw Deliberate()
            }
            throw ConformanceFailure(message: "a throwing body did not throw", file: #fileID, line: #line)
        } catch is Deliberate {
            // The body's own error comes out unchanged.
        }
        try expectEqual(try await itemCount(database), 0, "a throwing body's insert was rolled back")
    }

    static func rollbackOnFailedStatement(
        _ database: any SQLDatabase, _: SQLDatabaseConformance.Capabilities
    )
        async throws
    {
        try await createItems(database)
        var failed = false
        do {
            try await database.writeTransaction { connection in
                let p = connection.dialect.placeholder
                try connection.execute("INSERT INTO items (id, name) VALUES (\(p(1)), \(p(2)))", [1, "one"])
                // A primary-key violation: the statement throws and the body passes the error on.
                try connection.execute("INSERT INTO items (id, name) VALUES (\(p(1)), \(p(2)))", [1, "again"])
            }
        } catch {
            failed = true
        }
        try expect(failed, "a duplicate primary key throws")
        try expectEqual(try await itemCount(database), 0, "the whole transaction was rolled back")
        // The database is usable afterwards.
        try await database.writeTransaction { connection in
            let p = connection.dialect.placeholder
            try connection.execute("INSERT INTO items (id, name) VALUES (\(p(1)), \(p(2)))", [1, "one"])
        }
        try expectEqual(try await itemCount(database), 1)
    }

    /// A read transaction counts, lets a write commit meanwhile, and counts again: the same.
    static func readTransactionSeesOneSnapshot(
        _ database: any SQLDatabase, _: SQLDatabaseConformance.Capabilities
    )
        async throws
    {
        try await createItems(database)
        try await database.writeTransaction { connection in
            let p = connection.dialect.placeholder
            try connection.execute("INSERT INTO items (id, name) VALUES (\(p(1)), \(p(2)))", [1, "one"])
        }
        let firstReadDone = SharedFlag()
        let written = DispatchSemaphore(value: 0)
        let reading = Task {
            try await database.readTransaction { connection -> (Int64, Int64, Bool) in
                let before = try connection.scalar("SELECT count(*) FROM items") ?? -1
                firstReadDone.raise()
                // Blocks this database thread (not the cooperative pool) until the write committed.
                let committed = written.wait(timeout: .now() + 20) == .success
                let after = try connection.scalar("SELECT count(*) FROM items") ?? -1
                return (before, after, committed)
            }
        }
        try await firstReadDone.wait(timeout: .seconds(20))
        do {
            try await database.writeTransaction { connection in
                let p = connection.dialect.placeholder
                try connection.execute("INSERT INTO items (id, name) VALUES (\(p(1)), \(p(2)))", [2, "two"])
            }
        } catch {
            written.signal()
            _ = try? await reading.value
            throw error
        }
        written.signal()
        let (before, after, committed) = try await reading.value
        try expect(committed, "the write committed while the read transaction was open")
        try expectEqual(before, 1)
        try expectEqual(after, 1, "a read transaction keeps its snapshot while another transaction commits")
        try expectEqual(try await itemCount(database), 2, "a new read transaction sees the commit")
    }

    /// 8 tasks × 100 transactions, each adding 1 to one counter (half by UPDATE, half by upsert).
    static func concurrentWritersLoseNoUpdate(
        _ database: any SQLDatabase, _: SQLDatabaseConformance.Capabilities
    )
        async throws
    {
        let table = try SQLIdentifier("counters")
        let name = try SQLIdentifier("name")
        let value = try SQLIdentifier("value")
        _ = try await database.writeTransaction { connection in
            try connection.execute(
                "CREATE TABLE counters (name \(connection.dialect.binaryTextType) PRIMARY KEY, value BIGINT NOT NULL)",
                [])
        }
        let tasks = 8
        let increments = 100
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for increment in 0..<increments {
                        try await database.writeTransaction { connection in
                            let dialect = connection.dialect
                            if (task + increment) % 2 == 0 {
                                // The first of these may meet no row yet: the upsert creates it.
                                try connection.execute(
                                    dialect.upsert(
                                        into: table, columns: [name, value], conflict: [name],
                                        action: .updateSet(
                                            "\(value.quoted) = \(table.quoted).\(value.quoted) + excluded.\(value.quoted)"
                                        )),
                                    ["hits", 1])
                            } else {
                                let changed = try connection.execute(
                                    "UPDATE counters SET value = value + 1 WHERE name = \(dialect.placeholder(1))",
                                    ["hits"])
                                if changed == 0 {
                                    try connection.execute(
                                        dialect.upsert(
                                            into: table, columns: [name, value], conflict: [name],
                                            action: .updateSet(
                                                "\(value.quoted) = \(table.quoted).\(value.quoted) + excluded.\(value.quoted)"
                                            )),
                                        ["hits", 1])
                                }
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let total = try await database.readTransaction { connection in
            try connection.scalar(
                "SELECT value FROM counters WHERE name = \(connection.dialect.placeholder(1))", ["hits"])
        }
        try expectEqual(total, Int64(tasks * increments), "every increment of every writer counted once")
    }

    static func closeThenUseThrowsClosed(
        _ database: any SQLDatabase, _: SQLDatabaseConformance.Capabilities
    ) async throws {
        try await createItems(database)
        database.close()
        database.close()
        for readOnly in [false, true] {
            do {
                if readOnly {
                    _ = try await database.readTransaction { connection in try connection.scalar("SELECT 1") }
                } else {
                    _ = try await database.writeTransaction { connection in try connection.scalar("SELECT 1") }
                }
                throw ConformanceFailure(
                    message: "a \(readOnly ? "read" : "write") transaction after close() succeeded", file: #fileID,
                    line: #line)
            } catch let error as any SQLDatabaseError {
                try expect(error.isDatabaseClosed, "after close(), the error says the database is closed: \(error)")
            } catch let failure as ConformanceFailure {
                throw failure
            } catch {
                throw ConformanceFailure(
                    message: "after close(), expected a SQLDatabaseError, got \(type(of: error)): \(error)",
                    file: #fileID,
                    line: #line)
            }
        }
    }
}
