import AtomoSQL
import Foundation

/// Every member of ``SQLDialect``, executed against the real database.
enum SQLDialectChecks {
    static let all: [SQLDatabaseConformance.Check] = [
        SQLDatabaseConformance.check("upsertInsertsUpdatesOrDoesNothing", upsert),
        SQLDatabaseConformance.check("skipLockedClaimsDisjointRows", skipLocked),
        SQLDatabaseConformance.check("jsonExtractReadsPaths", jsonExtract),
        SQLDatabaseConformance.check("booleanLiterals", booleanLiterals),
        SQLDatabaseConformance.check("nullsSortLowest", nullsSortLowest),
        SQLDatabaseConformance.check("binaryTextSortsByteWise", binaryTextSortsByteWise),
        SQLDatabaseConformance.check("caseInsensitiveLikeWithEscape", caseInsensitiveLike),
        SQLDatabaseConformance.check("tableExists", tableExists),
    ]

    static func upsert(_ database: any SQLDatabase, _: SQLDatabaseConformance.Capabilities) async throws {
        let table = try SQLIdentifier("settings")
        let key = try SQLIdentifier("key")
        let value = try SQLIdentifier("value")
        let note = try SQLIdentifier("note")
        let columns = [key, value, note]
        func read() async throws -> [SQLRow] {
            try await database.readTransaction { connection in
                try connection.query("SELECT key, value, note FROM settings ORDER BY key", [])
            }
        }
        let changes = try await database.writeTransaction { connection -> [Int] in
            let dialect = connection.dialect
            try connection.execute(
                "CREATE TABLE settings (key \(dialect.binaryTextType) PRIMARY KEY, value BIGINT NOT NULL, note \(dialect.binaryTextType))",
                [])
            let update = dialect.upsert(into: table, columns: columns, conflict: [key], action: .update([value]))
            let nothing = dialect.upsert(into: table, columns: columns, conflict: [key], action: .doNothing)
            let emptyUpdate = dialect.upsert(into: table, columns: columns, conflict: [key], action: .update([]))
            let add = dialect.upsert(
                into: table, columns: columns, conflict: [key],
                action: .updateSet("\(value.quoted) = \(table.quoted).\(value.quoted) + excluded.\(value.quoted)"))
            return [
                try connection.execute(update, ["a", 1, "first"]),  // inserts
                try connection.execute(update, ["a", 2, "ignored"]),  // updates value only
                try connection.execute(nothing, ["a", 3, "ignored"]),  // keeps the row
                try connection.execute(emptyUpdate, ["a", 4, "ignored"]),  // keeps the row
                try connection.execute(nothing, ["b", 10, nil]),  // inserts
                try connection.execute(add, ["b", 5, "ignored"]),  // adds
            ]
        }
        try expectEqual(changes, [1, 1, 0, 0, 1, 1], "rows changed by each upsert")
        let rows = try await read()
        try expectEqual(rows.map { $0["key"] }, ["a", "b"])
        try expectEqual(rows.map { $0["value"] }, [2, 15])
        try expectEqual(rows.map { $0["note"] }, ["first", .null], "columns not named in the update keep their values")
        // Many rows through one prepared statement.
        try await database.writeTransaction { connection in
            try connection.executeMany(
                connection.dialect.upsert(
                    into: table, columns: columns, conflict: [key], action: .update([value, note])),
                [["a", 7, "seven"], ["c", 1, nil]])
        }
        let after = try await read()
        try expectEqual(after.map { $0["value"] }, [7, 15, 1])
        try expectEqual(after.map { $0["note"] }, ["seven", .null, .null])
    }

    /// Two writers claim queued rows with the skip-locked clause while the first still holds its
    /// claim: they get different rows (PostgreSQL skips the locked rows; SQLite runs the second
    /// writer after the first commits).
    static func skipLocked(_ database: any SQLDatabase, _: SQLDatabaseConformance.Capabilities) async throws {
        try await database.writeTransaction { connection in
            try connection.execute("CREATE TABLE jobs (id BIGINT PRIMARY KEY, claimed_by BIGINT)", [])
            try connection.executeMany(
                "INSERT INTO jobs (id) VALUES (\(connection.dialect.placeholder(1)))",
                (1...5).map { [.integer(Int64($0))] })
        }
        @Sendable func claim(_ worker: Int64) -> @Sendable (any SQLConnection) throws -> [Int64] {
            { connection in
                let dialect = connection.dialect
                let rows = try connection.query(
                    "SELECT id FROM jobs WHERE claimed_by IS NULL ORDER BY id LIMIT 2\(dialect.forUpdateSkipLocked)", []
                )
                let ids = rows.compactMap { $0["id"].integer }
                for id in ids {
                    try connection.execute(
                        "UPDATE jobs SET claimed_by = \(dialect.placeholder(1)) WHERE id = \(dialect.placeholder(2))",
                        [.integer(worker), .integer(id)])
                }
                return ids
            }
        }
        let firstClaimed = SharedFlag()
        let first = Task {
            try await database.writeTransaction { connection -> [Int64] in
                let ids = try claim(1)(connection)
                firstClaimed.raise()
                // Hold the locks a while, so that the second writer runs while they are held (where it can).
                Thread.sleep(forTimeInterval: 0.2)
                return ids
            }
        }
        try await firstClaimed.wait(timeout: .seconds(20))
        let second = try await database.writeTransaction(claim(2))
        let firstIDs = try await first.value
        try expectEqual(firstIDs, [1, 2], "the first writer claims the first two rows")
        try expectEqual(second, [3, 4], "the second writer skips the rows the first one holds")
        let unclaimed = try await database.readTransaction { connection in
            try connection.query("SELECT id FROM jobs WHERE claimed_by IS NULL", []).compactMap { $0["id"].integer }
        }
        try expectEqual(unclaimed, [5])
    }

    static func jsonExtract(_ database: any SQLDatabase, _: SQLDatabaseConformance.Capabilities) async throws {
        let document =
            #"{"name":"Ada","age":36,"score":1.5,"admin":true,"guest":false,"tags":["x","y"],"address":{"city":"Zürich"},"none":null}"#
        try await database.writeTransaction { connection in
            try connection.execute(
                "CREATE TABLE documents (id BIGINT PRIMARY KEY, body \(connection.dialect.binaryTextType) NOT NULL)", []
            )
            let p = connection.dialect.placeholder
            try connection.executeMany(
                "INSERT INTO documents (id, body) VALUES (\(p(1)), \(p(2)))",
                [[1, .text(document)], [2, #"{"name":"Bob"}"#]])
        }
        func key(_ name: String) throws -> SQLJSONPath.Component { .key(try SQLIdentifier(name)) }
        let cases: [(SQLJSONPath, SQLJSONPath.ValueType, SQLValue)] = [
            (SQLJSONPath([try key("name")]), .text, "Ada"),
            (SQLJSONPath([try key("age")]), .integer, 36),
            (SQLJSONPath([try key("score")]), .real, 1.5),
            (SQLJSONPath([try key("admin")]), .boolean, 1),
            (SQLJSONPath([try key("guest")]), .boolean, 0),
            (SQLJSONPath([try key("tags"), .index(1)]), .text, "y"),
            (SQLJSONPath([try key("address"), try key("city")]), .text, "Zürich"),
            (SQLJSONPath([try key("missing")]), .text, .null),
            (SQLJSONPath([try key("none")]), .text, .null),
            (SQLJSONPath([try key("tags"), .index(5)]), .text, .null),
        ]
        let values = try await database.readTransaction { connection -> [SQLValue] in
            let dialect = connection.dialect
            let list = cases.map { path, type, _ in dialect.jsonExtract("body", path: path, as: type) }
            return try connection.query("SELECT \(list.joined(separator: ", ")) FROM documents WHERE id = 1", []).first?
                .values ?? []
        }
        try expectEqual(values, cases.map(\.2), "values read at each path")
        let matching = try await database.readTransaction { connection in
            let dialect = connection.dialect
            let name = dialect.jsonExtract("body", path: SQLJSONPath([.key(try SQLIdentifier("name"))]), as: .text)
            return try connection.query(
                "SELECT id FROM documents WHERE \(name) = \(dialect.placeholder(1)) ORDER BY id", ["Bob"]
            ).map { $0["id"] }
        }
        try expectEqual(matching, [2], "an extracted value filters rows")
    }

    static func booleanLiterals(_ database: any SQLDatabase, _: SQLDatabaseConformance.Capabilities) async throws {
        try await database.writeTransaction { connection in
            try connection.execute("CREATE TABLE flags (id BIGINT PRIMARY KEY, x BIGINT)", [])
            try connection.execute("INSERT INTO flags (id, x) VALUES (1, 1), (2, 2), (3, NULL)", [])
        }
        let counts = try await database.readTransaction { connection -> [Int64?] in
            let dialect = connection.dialect
            return [
                try connection.scalar("SELECT count(*) FROM flags WHERE \(dialect.booleanLiteral(true))"),
                try connection.scalar("SELECT count(*) FROM flags WHERE \(dialect.booleanLiteral(false))"),
                // "not (x = 1)" with NULL counted as not equal, as the content filters compile it.
                try connection.scalar(
                    "SELECT count(*) FROM flags WHERE NOT COALESCE(x = 1, \(dialect.booleanLiteral(false)))"),
            ]
        }
        try expectEqual(counts, [3, 0, 2])
    }

    static func nullsSortLowest(_ database: any SQLDatabase, _: SQLDatabaseConformance.Capabilities) async throws {
        try await database.writeTransaction { connection in
            let dialect = connection.dialect
            try connection.execute("CREATE TABLE ranked (id BIGINT PRIMARY KEY, rank BIGINT)", [])
            // An index in the same order as the ascending ORDER BY below.
            try connection.execute(
                "CREATE INDEX ranked_rank ON ranked (rank\(dialect.nullsLowest(descending: false)), id)", [])
            try connection.execute("INSERT INTO ranked (id, rank) VALUES (1, 2), (2, NULL), (3, 1), (4, NULL)", [])
        }
        let (ascending, descending) = try await database.readTransaction { connection -> ([SQLValue], [SQLValue]) in
            let dialect = connection.dialect
            let up = try connection.query(
                "SELECT id FROM ranked ORDER BY \(dialect.orderTerm("rank", descending: false, nullable: true)), id", []
            )
            let down = try connection.query(
                "SELECT id FROM ranked ORDER BY \(dialect.orderTerm("rank", descending: true, nullable: true)), id DESC",
                [])
            return (up.map { $0["id"] }, down.map { $0["id"] })
        }
        try expectEqual(ascending, [2, 4, 3, 1], "NULL first ascending")
        try expectEqual(descending, [1, 3, 4, 2], "NULL last descending")
    }

    static func binaryTextSortsByteWise(
        _ database: any SQLDatabase, _: SQLDatabaseConformance.Capabilities
    ) async throws {
        // Upper before lower case, "_" between them, accents after ASCII, and a character beyond the
        // BMP after U+FFFD (UTF-16 order would put it before).
        let words = ["b", "B", "a", "A", "é", "e", "Z", "_", "ab", "a b", "\u{FFFD}", "😀", "Ä"]
        try await database.writeTransaction { connection in
            try connection.execute("CREATE TABLE words (word \(connection.dialect.binaryTextType) PRIMARY KEY)", [])
            try connection.executeMany(
                "INSERT INTO words (word) VALUES (\(connection.dialect.placeholder(1)))", words.map { [.text($0)] })
        }
        let (sorted, equal, less) = try await database.readTransaction { connection -> ([String], [String], [String]) in
            let p = connection.dialect.placeholder
            let sorted = try connection.query("SELECT word FROM words ORDER BY word", []).compactMap { $0["word"].text }
            let equal = try connection.query("SELECT word FROM words WHERE word = \(p(1))", ["a"]).compactMap {
                $0["word"].text
            }
            let less = try connection.query("SELECT word FROM words WHERE word < \(p(1)) ORDER BY word", ["a"])
                .compactMap {
                    $0["word"].text
                }
            return (sorted, equal, less)
        }
        let byteWise = words.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        try expectEqual(sorted, byteWise, "ORDER BY sorts text by its UTF-8 bytes")
        try expectEqual(equal, ["a"], "= compares exactly (case and accents matter)")
        try expectEqual(less, ["A", "B", "Z", "_"], "< compares by bytes")
    }

    static func caseInsensitiveLike(_ database: any SQLDatabase, _: SQLDatabaseConformance.Capabilities) async throws {
        let names = ["50% off", "50 percent off", "500 OFF", "A_B", "AxB", "a_b tail", #"C:\Path"#, "C:Path", "plain"]
        try await database.writeTransaction { connection in
            try connection.execute("CREATE TABLE labels (name \(connection.dialect.binaryTextType) PRIMARY KEY)", [])
            try connection.executeMany(
                "INSERT INTO labels (name) VALUES (\(connection.dialect.placeholder(1)))", names.map { [.text($0)] })
        }
        func matches(_ pattern: String) async throws -> [String] {
            try await database.readTransaction { connection in
                let dialect = connection.dialect
                return try connection.query(
                    "SELECT name FROM labels WHERE \(dialect.caseInsensitiveLike("name", pattern: dialect.placeholder(1))) ORDER BY name",
                    [.text(pattern)]
                ).compactMap { $0["name"].text }.sorted()
            }
        }
        let escape = SQLDialect.escapeLikePattern
        try expectEqual(escape("50%_off"), #"50\%\_off"#)
        try expectEqual(try await matches(escape("50%") + "%"), ["50% off"], "an escaped % matches only itself")
        try expectEqual(
            try await matches("50%"), ["50 percent off", "50% off", "500 OFF"], "an unescaped % matches anything")
        try expectEqual(
            try await matches(escape("a_b") + "%"), ["A_B", "a_b tail"], "an escaped _ matches only itself, in any case"
        )
        try expectEqual(try await matches("a_b"), ["A_B", "AxB"], "an unescaped _ matches one character")
        try expectEqual(
            try await matches("%" + escape(#":\p"#) + "%"), [#"C:\Path"#], "an escaped backslash matches itself")
        try expectEqual(
            try await matches("%OFF"), ["50 percent off", "50% off", "500 OFF"], "ASCII letters match in any case")
        try expectEqual(try await matches("PLAIN"), ["plain"])
    }

    static func tableExists(_ database: any SQLDatabase, _: SQLDatabaseConformance.Capabilities) async throws {
        let before = try await database.readTransaction { connection in try connection.tableExists("present") }
        try expect(!before, "no table yet")
        let inside = try await database.writeTransaction { connection -> Bool in
            try connection.execute("CREATE TABLE present (id BIGINT PRIMARY KEY)", [])
            return try connection.tableExists("present")
        }
        try expect(inside, "the table exists inside the transaction that created it")
        let (after, other) = try await database.readTransaction { connection in
            (try connection.tableExists("present"), try connection.tableExists("absent"))
        }
        try expect(after, "the table exists after the commit")
        try expect(!other, "another name does not exist")
    }
}
