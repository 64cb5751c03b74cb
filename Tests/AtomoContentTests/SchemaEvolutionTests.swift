import AtomoContent
import AtomoSchema
import AtomoSQL
import AtomoTesting
import Foundation
import Synchronization
import Testing

@Suite("Schema evolution")
struct SchemaEvolutionTests {
    static func contact(_ fields: [Field]) -> Schema {
        Schema(entities: [CRM.company, Entity("Contact", fields: fields)])
    }

    static let v1 = contact([
        Field("name", .string, required: true), Field("phone", .string, unique: true), Field("rating", .int),
    ])
    /// Adds a field: migrated in place.
    static let v2 = contact([
        Field("name", .string, required: true), Field("phone", .string, unique: true), Field("rating", .int), Field("city", .string),
    ])
    /// Renames `phone` to `mobile`: rebuilt from the log, old events read with the new name.
    static let v3 = contact([
        Field("name", .string, required: true), Field("mobile", .string, unique: true, formerNames: ["phone"]),
        Field("rating", .int), Field("city", .string),
    ])
    /// Changes `rating` from int to string: rebuilt, values converted.
    static let v4 = contact([
        Field("name", .string, required: true), Field("mobile", .string, unique: true, formerNames: ["phone"]),
        Field("rating", .string), Field("city", .string),
    ])

    static func evolve(_ engine: ContentEngine, readers: @escaping @Sendable () async throws -> Int) async throws {
        var ids: [String] = []
        for index in 0..<300 {
            let record = try await engine.create(
                "Contact", ["name": .string("P\(index)"), "phone": .string("+1-555-\(index)"), "rating": .int(Int64(index % 5))],
                as: admin)
            ids.append(record.id)
        }
        try await engine.update("Contact", id: ids[0], ["rating": 4], as: admin)
        try await engine.delete("Contact", id: ids[1], as: admin)

        let bad = Mutex<[Int]>([])
        let stop = Atomic<Bool>(false)
        let reader = Task {
            while !stop.load(ordering: .relaxed) {
                let count = try await readers()
                if count != 299 { bad.withLock { $0.append(count) } }
            }
        }

        try await engine.replaceSchema(v2)
        let withCity = try await engine.update("Contact", id: ids[2], ["city": "Lisbon"], as: admin)
        #expect(withCity["city"] == "Lisbon")
        #expect(try await engine.get("Contact", id: ids[3], as: admin)?["phone"] == "+1-555-3", "in-place: data kept")

        try await engine.replaceSchema(v3)
        let renamed = try await engine.get("Contact", id: ids[3], as: admin)
        #expect(renamed?["mobile"] == "+1-555-3")
        #expect(renamed?["phone"] == nil)
        #expect(try await engine.get("Contact", id: ids[2], as: admin)?["city"] == "Lisbon")
        await #expect(throws: ContentError.uniqueViolation(entity: "Contact", field: "mobile")) {
            try await engine.create("Contact", ["name": "Dup", "mobile": "+1-555-7"], as: admin)
        }
        await #expect(throws: ContentError.self) {
            try await engine.create("Contact", ["name": "Old", "phone": "+1"], as: admin)
        }

        try await engine.replaceSchema(v4)
        stop.store(true, ordering: .relaxed)
        try await reader.value
        #expect(bad.withLock { $0 }.isEmpty, "readers never saw an empty or partial table: \(bad.withLock { Array($0.prefix(5)) })")

        for (index, id) in ids.enumerated() where index != 1 {
            let record = try #require(try await engine.get("Contact", id: id, as: admin), "record \(index) survives")
            #expect(record["name"] == .string("P\(index)"))
            #expect(record["mobile"] == .string("+1-555-\(index)"))
            #expect(record["rating"] == .string(index == 0 ? "4" : "\(index % 5)"))
        }
        #expect(try await engine.get("Contact", id: ids[1], as: admin) == nil, "still deleted")
        let restored = try await engine.restore("Contact", id: ids[1], as: admin)
        #expect(restored["mobile"] == "+1-555-1" && restored["rating"] == "1")
        let history = try await engine.history("Contact", id: ids[0], as: admin)
        #expect(history[0].fields["mobile"] == "+1-555-0" && history[1].fields["rating"] == "4")
        let filtered = try await engine.list(RecordQuery("Contact", filter: .field("rating", .eq("3")), includeTotalCount: true), as: admin)
        #expect(filtered.totalCount == 60)
        let created = try await engine.create("Contact", ["name": "New", "mobile": "m", "rating": "five"], as: admin)
        #expect(created["rating"] == "five")
    }

    @Test("SQLite: add a field, rename one, change a type — every record survives with the right values")
    func sqlite() async throws {
        let path = TemporaryFiles.path("evolution")
        let harness = try await SQLiteHarness.make(Self.v1, path: path)
        let engine = harness.engine
        try await Self.evolve(engine) {
            try await engine.list(RecordQuery("Contact", page: .first(1), includeTotalCount: true), as: admin).totalCount ?? -1
        }
        await harness.close()

        // A restart with the same schema continues; with an older schema file it would migrate again.
        let again = try await SQLiteHarness.make(Self.v4, path: path)
        let count = try await again.engine.list(RecordQuery("Contact", includeTotalCount: true), as: admin).totalCount
        #expect(count == 301)
        await again.close()
    }

    @Test("SQLite: a restart with a changed schema migrates at start")
    func restartMigration() async throws {
        let path = TemporaryFiles.path("restart")
        let first = try await SQLiteHarness.make(Self.v2, path: path)
        let record = try await first.engine.create("Contact", ["name": "A", "phone": "1", "rating": 3, "city": "Porto"], as: admin)
        await first.close()
        let second = try await SQLiteHarness.make(Self.v4, path: path)
        let after = try await second.engine.get("Contact", id: record.id, as: admin)
        #expect(after?["mobile"] == "1" && after?["rating"] == "3" && after?["city"] == "Porto")
        await second.close()
    }

    @Test("PostgreSQL: the same evolution", TestEnvironment.postgres.trait)
    func postgres() async throws {
        let harness = try await PostgresTestServer.harness(Self.v1)
        let engine = harness.engine
        do {
            try await Self.evolve(engine) {
                try await engine.list(RecordQuery("Contact", page: .first(1), includeTotalCount: true), as: admin).totalCount ?? -1
            }
        } catch {
            await harness.close()
            throw error
        }
        await harness.close()
    }

    /// Adding columns in place locks the view and its table; readers lock them in the order view,
    /// table. A migration that took the table first deadlocked with a reader on PostgreSQL now and
    /// then (40P01); many migrations under several readers make that order observable.
    @Test(
        "PostgreSQL: in-place migrations under concurrent readers never deadlock",
        TestEnvironment.postgres.trait)
    func migrationsUnderReaders() async throws {
        let harness = try await PostgresTestServer.harness(Self.v1)
        let engine = harness.engine
        do {
            for index in 0..<20 {
                _ = try await engine.create("Contact", ["name": .string("P\(index)"), "rating": .int(1)], as: admin)
            }
            let stop = StopFlag()
            let readers = (0..<4).map { _ in
                Task {
                    var reads = 0
                    while !stop.isSet {
                        let page = try await engine.list(
                            RecordQuery("Contact", filter: .field("rating", .eq(1)), page: .first(5), includeTotalCount: true),
                            as: admin)
                        #expect(page.totalCount == 20)
                        reads += 1
                    }
                    return reads
                }
            }
            var fields: [Field] = [Field("name", .string, required: true), Field("phone", .string, unique: true), Field("rating", .int)]
            for step in 0..<40 {
                fields.append(Field("extra\(step)", .string))
                try await engine.replaceSchema(Self.contact(fields))
            }
            stop.set()
            var reads = 0
            for reader in readers { reads += try await reader.value }
            #expect(reads > 0)
            let record = try await engine.create("Contact", ["name": "Last", "extra39": "x"], as: admin)
            #expect(try await engine.get("Contact", id: record.id, as: admin)?["extra39"] == "x")
        } catch {
            await harness.close()
            throw error
        }
        await harness.close()
    }
}

/// A flag several tasks read and one sets.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
