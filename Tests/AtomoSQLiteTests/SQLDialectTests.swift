import AtomoSQL
import Testing

/// The SQL each dialect member renders, character for character: the content read models, lists and
/// filters depend on it (an index is walked only when its key says what the ORDER BY says), and the
/// conformance suite executes the same members against the databases.
@Suite("SQLDialect")
struct SQLDialectTests {
    @Test("placeholders")
    func placeholders() {
        #expect(SQLDialect.sqlite.placeholder(3) == "?3")
        #expect(SQLDialect.postgres.placeholder(3) == "$3")
    }

    @Test("column types and literals")
    func typesAndLiterals() {
        #expect(SQLDialect.sqlite.binaryTextType == "TEXT")
        #expect(SQLDialect.postgres.binaryTextType == "TEXT COLLATE \"C\"")
        #expect(SQLDialect.sqlite.blobType == "BLOB")
        #expect(SQLDialect.postgres.blobType == "BYTEA")
        #expect(SQLDialect.sqlite.booleanLiteral(false) == "0")
        #expect(SQLDialect.sqlite.booleanLiteral(true) == "1")
        #expect(SQLDialect.postgres.booleanLiteral(false) == "FALSE")
        #expect(SQLDialect.postgres.booleanLiteral(true) == "TRUE")
    }

    @Test("ordering with NULL lowest")
    func ordering() {
        #expect(SQLDialect.sqlite.orderTerm("\"a\"", descending: false, nullable: true) == "\"a\" ASC")
        #expect(SQLDialect.sqlite.orderTerm("\"a\"", descending: true, nullable: true) == "\"a\" DESC")
        #expect(SQLDialect.postgres.orderTerm("\"a\"", descending: false, nullable: true) == "\"a\" ASC NULLS FIRST")
        #expect(SQLDialect.postgres.orderTerm("\"a\"", descending: true, nullable: true) == "\"a\" DESC NULLS LAST")
        #expect(SQLDialect.postgres.orderTerm("id", descending: true, nullable: false) == "id DESC")
        #expect(SQLDialect.sqlite.nullsLowest(descending: false) == "")
        #expect(SQLDialect.postgres.nullsLowest(descending: false) == " NULLS FIRST")
    }

    @Test("case-insensitive LIKE and its escaping")
    func like() {
        #expect(SQLDialect.sqlite.caseInsensitiveLike("\"name\"", pattern: "?1") == #""name" LIKE ?1 ESCAPE '\'"#)
        #expect(SQLDialect.postgres.caseInsensitiveLike("\"name\"", pattern: "$1") == #""name" ILIKE $1 ESCAPE '\'"#)
        #expect(SQLDialect.escapeLikePattern(#"50%_off\now"#) == #"50\%\_off\\now"#)
        #expect(SQLDialect.escapeLikePattern("plain é") == "plain é")
    }

    @Test("row locks: FOR UPDATE SKIP LOCKED on PostgreSQL, nothing on SQLite's single writer")
    func rowLocks() {
        #expect(SQLDialect.postgres.forUpdateSkipLocked == " FOR UPDATE SKIP LOCKED")
        #expect(SQLDialect.postgres.supportsSkipLocked)
        #expect(SQLDialect.sqlite.forUpdateSkipLocked == "")
        #expect(!SQLDialect.sqlite.supportsSkipLocked)
    }

    @Test("upserts")
    func upserts() throws {
        let table = try SQLIdentifier("t")
        let id = try SQLIdentifier("id")
        let value = try SQLIdentifier("value")
        #expect(
            SQLDialect.sqlite.upsert(into: table, columns: [id, value], conflict: [id], action: .update([value]))
                == #"INSERT INTO "t" ("id", "value") VALUES (?1, ?2) ON CONFLICT ("id") DO UPDATE SET "value" = excluded."value""#
        )
        #expect(
            SQLDialect.postgres.upsert(into: table, columns: [id, value], conflict: [id], action: .doNothing)
                == #"INSERT INTO "t" ("id", "value") VALUES ($1, $2) ON CONFLICT ("id") DO NOTHING"#)
        #expect(
            SQLDialect.postgres.upsert(into: table, columns: [id, value], conflict: [id], action: .update([]))
                == #"INSERT INTO "t" ("id", "value") VALUES ($1, $2) ON CONFLICT ("id") DO NOTHING"#)
        #expect(
            SQLDialect.sqlite.upsert(
                into: table, columns: [id, value], conflict: [id], action: .updateSet(#""value" = "t"."value" + 1"#))
                == #"INSERT INTO "t" ("id", "value") VALUES (?1, ?2) ON CONFLICT ("id") DO UPDATE SET "value" = "t"."value" + 1"#
        )
    }

    @Test("JSON extraction")
    func json() throws {
        let path = SQLJSONPath([.key(try SQLIdentifier("tags")), .index(2), .key(try SQLIdentifier("name"))])
        #expect(SQLDialect.sqlite.jsonExtract("body", path: path, as: .text) == "json_extract(body, '$.tags[2].name')")
        #expect(
            SQLDialect.sqlite.jsonExtract("body", path: path, as: .integer)
                == "CAST(json_extract(body, '$.tags[2].name') AS INTEGER)")
        #expect(SQLDialect.postgres.jsonExtract("body", path: path, as: .text) == "((body)::jsonb #>> '{tags,2,name}')")
        #expect(
            SQLDialect.postgres.jsonExtract("body", path: path, as: .boolean)
                == "((body)::jsonb #>> '{tags,2,name}')::boolean")
        #expect(
            SQLDialect.sqlite.jsonExtract("b", path: SQLJSONPath([.index(-1)]), as: .text) == "json_extract(b, '$[0]')")
    }

    @Test("the table-exists query")
    func tableExists() {
        #expect(SQLDialect.sqlite.tableExistsQuery == "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1")
        #expect(
            SQLDialect.postgres.tableExistsQuery
                == "SELECT 1 FROM information_schema.tables WHERE table_name = $1 AND table_schema = current_schema()")
    }
}
