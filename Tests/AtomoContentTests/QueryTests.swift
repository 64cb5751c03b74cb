import AtomoContent
import AtomoSchema
import AtomoEvents
import AtomoSQL
import AtomoSQLite
import Foundation
import Testing

@Suite("Queries")
struct QueryTests {
    static func seeded() async throws -> (SQLiteHarness, [ContentRecord], [ContentRecord]) {
        let harness = try await SQLiteHarness.make()
        var companies: [ContentRecord] = []
        for name in ["Acme", "Globex", "Initech"] {
            companies.append(try await harness.engine.create("Company", ["name": .string(name)], as: admin))
        }
        var contacts: [ContentRecord] = []
        let stages = ["Lead", "Qualified", "Won", "Lost"]
        for index in 0..<40 {
            var input: [String: JSONValue] = [
                "name": .string("Person \(index < 10 ? "0" : "")\(index)"), "stage": .string(stages[index % 4]),
                "company": .string(companies[index % 3].id), "amount": .double(Double(index) * 1.5),
            ]
            if index % 5 != 0 { input["score"] = .int(Int64(index % 10)) }
            if index == 7 { input["name"] = "100%_off \\ 'quoted'" }
            contacts.append(try await harness.engine.create("Contact", input, as: admin))
        }
        return (harness, companies, contacts)
    }

    @Test("Filters, related filters, ordering, cursor and offset pages, counts and aggregates")
    func lists() async throws {
        let (harness, companies, contacts) = try await Self.seeded()
        defer { Task { await harness.close() } }
        let engine = harness.engine
        let leads = try await engine.list(
            RecordQuery("Contact", filter: .field("stage", .eq("Lead")), orderBy: [SortKey("name")], includeTotalCount: true), as: admin)
        #expect(leads.totalCount == 10)
        #expect(leads.records.map { $0["name"]?.stringValue ?? "" } == leads.records.map { $0["name"]?.stringValue ?? "" }.sorted())

        let acme = try await engine.list(
            RecordQuery("Contact", filter: .related("company", .field("name", .eq("Acme"))), page: .first(100)), as: admin)
        #expect(Set(acme.records.map(\.id)) == Set(contacts.enumerated().filter { $0.offset % 3 == 0 }.map(\.element.id)))

        let batch = try await engine.list(
            RecordQuery("Contact", filter: .field("company", .in(companies.prefix(2).map { .string($0.id) })), page: .first(100)), as: admin)
        #expect(batch.records.count == 27)

        let complex = try await engine.list(
            RecordQuery(
                "Contact",
                filter: .and([
                    .or([.field("score", .gte(5)), .field("score", .isNull(true))]), .not(.field("stage", .in(["Won", "Lost"]))),
                    .field("amount", .lt(40.0)),
                ]), page: .first(100)), as: admin)
        let expected = contacts.filter { record in
            let score = record["score"]?.intValue
            let stage = record["stage"]?.stringValue ?? ""
            return (score == nil || score! >= 5) && !["Won", "Lost"].contains(stage) && (record["amount"]?.doubleValue ?? 0) < 40
        }
        #expect(Set(complex.records.map(\.id)) == Set(expected.map(\.id)))

        // Cursor pages over a multi-key ordering with nulls, stable under inserts.
        let order = [SortKey("score", .descending), SortKey("name")]
        var seen: [String] = []
        var after: String?
        var insertedDuring = false
        repeat {
            let page = try await engine.list(RecordQuery("Contact", orderBy: order, page: .first(7, after: after)), as: admin)
            seen += page.records.map(\.id)
            after = page.hasNextPage ? page.endCursor : nil
            if !insertedDuring {
                try await engine.create("Contact", ["name": "AAA inserted", "score": 10], as: admin)
                insertedDuring = true
            }
        } while after != nil
        #expect(seen.count == 40, "the insert sorts before the cursor and is not seen; nothing repeats or is skipped")
        #expect(Set(seen) == Set(contacts.map(\.id)))
        let full = try await engine.list(RecordQuery("Contact", orderBy: order, page: .first(100)), as: admin)
        let backwards = try await engine.list(RecordQuery("Contact", orderBy: order, page: .last(5, before: full.records[20].cursor)), as: admin)
        #expect(backwards.records.map(\.id) == full.records[15..<20].map(\.id))
        let offset = try await engine.list(RecordQuery("Contact", orderBy: order, page: .offset(10, limit: 5)), as: admin)
        #expect(offset.records.map(\.id) == full.records[10..<15].map(\.id))
        #expect(offset.hasPreviousPage && offset.hasNextPage)

        await #expect(throws: ContentError.invalidCursor) {
            try await engine.list(RecordQuery("Contact", orderBy: [SortKey("name")], page: .first(5, after: full.records[3].cursor)), as: admin)
        }

        let stats = try await engine.aggregate("Contact", where: .field("stage", .eq("Won")), as: admin)
        #expect(stats.count == 10)
        let won = contacts.filter { $0["stage"] == "Won" }
        #expect(stats.sum["amount"] == won.compactMap { $0["amount"]?.doubleValue }.reduce(0, +))
        #expect(stats.max["name"] == won.compactMap { $0["name"] }.max { ($0.stringValue ?? "") < ($1.stringValue ?? "") })

        let before = engine.readModelQueryCount
        let byID = try await engine.records("Company", ids: companies.map(\.id) + ["missing"], as: admin)
        #expect(byID.count == 3)
        #expect(engine.readModelQueryCount - before == 1, "one query for a batch of ids")
    }

    @Test("A page reads what its references point to in its own read transaction; cursors on demand")
    func includedReferencesAndCursors() async throws {
        let (harness, companies, _) = try await Self.seeded()
        defer { Task { await harness.close() } }
        let engine = harness.engine
        // One company deleted: records pointing to it get nothing for it.
        try await engine.delete("Company", id: companies[2].id, as: admin)
        let order = [SortKey("name")]
        let before = engine.readModelQueryCount
        let page = try await engine.list(
            RecordQuery("Contact", orderBy: order, page: .first(10), includeReferences: ["company", "company"]), as: admin)
        #expect(engine.readModelQueryCount - before == 2, "the page and one query for its companies")
        let referenced = Set(page.records.compactMap { $0["company"]?.stringValue })
        let expected = try await engine.records("Company", ids: Array(referenced), as: admin)
        #expect(page.references.keys.sorted() == ["company"])
        #expect(page.references["company"] == expected)
        #expect(page.references["company"]?[companies[2].id] == nil)
        #expect(referenced.contains(companies[2].id), "the seed points some of the first ten at the deleted company")
        let plain = try await engine.list(RecordQuery("Contact", orderBy: order, page: .first(10)), as: admin)
        #expect(plain.records == page.records && plain.references.isEmpty)

        // Without every record's cursor, the first and last still have theirs, and paging from them works.
        let lean = try await engine.list(
            RecordQuery("Contact", orderBy: order, page: .first(10), includeRecordCursors: false), as: admin)
        #expect(lean.records.map(\.id) == plain.records.map(\.id))
        #expect(lean.startCursor == plain.startCursor && lean.endCursor == plain.endCursor)
        #expect(lean.records.dropFirst().dropLast().allSatisfy { $0.cursor == nil })
        let next = try await engine.list(
            RecordQuery("Contact", orderBy: order, page: .first(10, after: lean.endCursor)), as: admin)
        let all = try await engine.list(RecordQuery("Contact", orderBy: order, page: .first(20)), as: admin)
        #expect(next.records.map(\.id) == all.records[10..<20].map(\.id))
        let backwards = try await engine.list(
            RecordQuery("Contact", orderBy: order, page: .last(3, before: next.startCursor), includeRecordCursors: false),
            as: admin)
        #expect(backwards.records.map(\.id) == all.records[7..<10].map(\.id))
        #expect(backwards.startCursor == all.records[7].cursor && backwards.endCursor == all.records[9].cursor)

        await #expect(throws: ContentError.invalidFilter("Contact.name is not a reference, so it cannot be included")) {
            try await engine.list(RecordQuery("Contact", includeReferences: ["name"]), as: admin)
        }
        await #expect(throws: ContentError.unknownField(entity: "Contact", field: "employer")) {
            try await engine.list(RecordQuery("Contact", includeReferences: ["employer"]), as: admin)
        }
    }

    @Test("An indexed field serves pages ordered by it without sorting the table, before and after it is declared")
    func indexedFieldsServeOrderedPages() async throws {
        var schema = CRM.schema
        let contact = try #require(schema.entities.firstIndex { $0.name == "Contact" })
        let name = try #require(schema.entities[contact].fields.firstIndex { $0.name == "name" })
        let harness = try await SQLiteHarness.make(schema)
        defer { Task { await harness.close() } }
        for index in 0..<30 { try await harness.engine.create("Contact", ["name": .string("P\(99 - index)")], as: admin) }
        // A new statement text each time (a cached EXPLAIN keeps the plan it was prepared with),
        // after a read (EXPLAIN reads nothing, so it would not notice the schema changed).
        let plan = { @Sendable (label: String) async throws -> String in
            try await harness.store.database.read { connection in
                _ = try connection.query("SELECT count(*) FROM sqlite_master", [])
                return try connection.query(
                    "EXPLAIN QUERY PLAN SELECT * FROM \"content_Contact\" WHERE _deleted = 0 ORDER BY \"name\" ASC, id ASC LIMIT 51 -- \(label)",
                    []
                ).map { $0.values.last?.text ?? "" }.joined(separator: "\n")
            }
        }
        let unindexed = try await plan("before")
        #expect(unindexed.contains("USE TEMP B-TREE FOR ORDER BY"), "\(unindexed)")
        let before = try await harness.engine.list(RecordQuery("Contact", orderBy: [SortKey("name")], page: .first(10)), as: admin)

        schema.entities[contact].fields[name].isIndexed = true
        try await harness.engine.replaceSchema(schema)
        let indexed = try await plan("after")
        #expect(indexed.contains("USING INDEX") && !indexed.contains("TEMP B-TREE FOR ORDER BY"), "\(indexed)")
        let after = try await harness.engine.list(RecordQuery("Contact", orderBy: [SortKey("name")], page: .first(10)), as: admin)
        #expect(after.records.map(\.id) == before.records.map(\.id))
        #expect(after.records.first?["name"] == "P70")
    }

    @Test("Hostile input gives typed errors, no extra rows and no SQL in messages")
    func hostile() async throws {
        let (harness, _, _) = try await Self.seeded()
        defer { Task { await harness.close() } }
        let engine = harness.engine
        let hostile: [String] = [
            "'; DROP TABLE content_Contact; --", "%", "_", "\\", "'", "\"", "%'--", "a' OR '1'='1", "\u{0}", "x\u{0}y",
            String(repeating: "A", count: 100_000), "😀 ünïcødé", "\\%", "Robert'); DROP TABLE Students;--",
        ]
        for text in hostile {
            let value = JSONValue.string(text)
            let predicates: [FieldPredicate] = [
                .eq(value), .ne(value), .in([value]), .notIn([value]), .lt(value), .lte(value), .gt(value), .gte(value),
                .contains(text), .startsWith(text), .isNull(false),
            ]
            for predicate in predicates {
                for field in ["name", "stage", "id", "score"] {
                    do {
                        let page = try await engine.list(RecordQuery("Contact", filter: .field(field, predicate), page: .first(100)), as: admin)
                        switch predicate {
                        case .ne, .notIn, .isNull, .lt, .lte, .gt, .gte: break  // legitimately match rows
                        default:
                            let matching = page.records.filter { record in
                                let stored = field == "id" ? record.id : record[field]?.stringValue ?? ""
                                switch predicate {
                                case .contains(let needle): return stored.lowercased().contains(needle.lowercased())
                                case .startsWith(let prefix): return stored.lowercased().hasPrefix(prefix.lowercased())
                                default: return stored == text
                                }
                            }
                            #expect(page.records.count == matching.count, "\(field) \(predicate): extra rows")
                        }
                    } catch {
                        switch error {
                        case .invalidFilter(let message):
                            #expect(!message.contains("SELECT") && !message.contains("WHERE") && !message.contains(text) || text.count < 2)
                        default: Issue.record("unexpected \(error)")
                        }
                    }
                }
            }
        }
        // The literal match of LIKE's wildcards: only the record whose name holds them.
        let wildcard = try await engine.list(RecordQuery("Contact", filter: .field("name", .contains("%_"))), as: admin)
        #expect(wildcard.records.count == 1)
        let quote = try await engine.list(RecordQuery("Contact", filter: .field("name", .contains("\\ 'q"))), as: admin)
        #expect(quote.records.count == 1)

        for name in ["name; DROP TABLE x", "name DESC, (SELECT 1)", "\"name\"", "_deleted", "nosuch", "name--"] {
            await #expect(throws: ContentError.unknownField(entity: "Contact", field: name)) {
                try await engine.list(RecordQuery("Contact", orderBy: [SortKey(name)]), as: admin)
            }
            await #expect(throws: ContentError.unknownField(entity: "Contact", field: name)) {
                try await engine.list(RecordQuery("Contact", filter: .field(name, .eq("x"))), as: admin)
            }
        }
        await #expect(throws: ContentError.unknownEntity("Contact; DROP TABLE x")) {
            try await engine.list(RecordQuery("Contact; DROP TABLE x"), as: admin)
        }
        await #expect(throws: ContentError.invalidFilter("Contact.score takes a number, not string")) {
            try await engine.list(RecordQuery("Contact", filter: .field("score", .eq("1 OR 1=1"))), as: admin)
        }
        await #expect(throws: ContentError.invalidCursor) {
            try await engine.list(RecordQuery("Contact", page: .first(5, after: "'; DROP TABLE x; --")), as: admin)
        }
        for error in [ContentError.unknownField(entity: "Contact", field: "name; DROP TABLE x")] {
            #expect(!error.description.contains("SELECT"))
        }
        let all = try await engine.list(RecordQuery("Contact", page: .first(1000), includeTotalCount: true), as: admin)
        #expect(all.totalCount == 40, "tables intact")
        let companies = try await engine.aggregate("Company", as: admin)
        #expect(companies.count == 3)
    }
}
