import AtomoContent
import AtomoSchema
import Testing

@Suite("Decoded-record cache")
struct RecordCacheTests {
    static func contacts(_ engine: ContentEngine, first: Int = 100) async throws -> [ContentRecord] {
        try await engine.list(RecordQuery("Contact", orderBy: [SortKey("name")], page: .first(first)), as: admin)
            .records
    }

    @Test("Lists read again come from decoded records, and never stale: after updates, deletes and schema changes")
    func neverStale() async throws {
        let harness = try await SQLiteHarness.make(SchemaEvolutionTests.v1)
        defer { Task { await harness.close() } }
        try await Self.neverStale(harness.engine)
    }

    @Test(
        "The same on PostgreSQL, where a rebuild swaps the view to another table",
        .enabled(if: PostgresTestServer.isAvailable, PostgresTestServer.skipMessage))
    func neverStaleOnPostgres() async throws {
        let harness = try await PostgresTestServer.harness(SchemaEvolutionTests.v1)
        defer { Task { await harness.close() } }
        try await Self.neverStale(harness.engine)
    }

    static func neverStale(_ engine: ContentEngine) async throws {
        var ids: [String] = []
        for index in 0..<20 {
            let name = "P\(index < 10 ? "0" : "")\(index)"
            let record = try await engine.create(
                "Contact", ["name": .string(name), "phone": .string("+1-\(index)"), "rating": .int(Int64(index % 5))],
                as: admin)
            ids.append(record.id)
        }
        let first = try await Self.contacts(engine)
        #expect(engine.cachedRecordCount == 20)
        #expect(try await Self.contacts(engine) == first)
        #expect(engine.cachedRecordCount == 20, "read again: nothing new decoded")

        try await engine.update("Contact", id: ids[3], ["rating": 0], as: admin)
        try await engine.delete("Contact", id: ids[4], as: admin)
        let changed = try await Self.contacts(engine)
        #expect(changed.count == 19 && !changed.contains { $0.id == ids[4] })
        #expect(changed.first { $0.id == ids[3] }?["rating"] == 0)
        #expect(changed.first { $0.id == ids[3] }?.version == 1)

        // The same versions, in a new shape: a rename (rebuilt), then a type change (rebuilt).
        try await engine.replaceSchema(SchemaEvolutionTests.v3)
        let renamed = try await Self.contacts(engine)
        #expect(renamed.map(\.version) == changed.map(\.version))
        #expect(renamed.allSatisfy { $0["phone"] == nil && $0["mobile"] != nil }, "\(renamed.prefix(2))")
        try await engine.replaceSchema(SchemaEvolutionTests.v4)
        let retyped = try await Self.contacts(engine)
        #expect(retyped.first { $0.id == ids[2] }?["rating"] == "2")
        // Referenced records and batches by id share the cache and the same rules.
        let byID = try await engine.records("Contact", ids: ids, as: admin)
        var listed = try #require(retyped.first { $0.id == ids[2] })
        listed.cursor = nil
        #expect(byID.count == 19 && byID[ids[2]] == listed)
    }

    @Test("The cache holds about its capacity, and nothing when it is 0")
    func bounded() async throws {
        for capacity in [0, 6] {
            let harness = try await SQLiteHarness.make(configuration: .init(recordCacheCapacity: capacity))
            for index in 0..<20 {
                try await harness.engine.create("Contact", ["name": .string("Person \(100 + index)")], as: admin)
            }
            let uncached = try await Self.contacts(harness.engine)
            for _ in 0..<3 {
                #expect(try await Self.contacts(harness.engine) == uncached)
                #expect(harness.engine.cachedRecordCount <= capacity)
            }
            let small = try await Self.contacts(harness.engine, first: 2)
            #expect(small == Array(uncached.prefix(2)))
            #expect(capacity == 0 || harness.engine.cachedRecordCount >= 2, "records in use stay")
            await harness.close()
        }
    }
}
