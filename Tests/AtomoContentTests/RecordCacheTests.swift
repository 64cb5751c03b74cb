import AtomoContent
import AtomoSchema
import AtomoTesting
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
        TestEnvironment.postgres.trait)
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

    @Test("The cache holds about its capacity in records and in bytes, and nothing when either is 0")
    func bounded() async throws {
        let configurations: [(records: Int, bytes: Int)] = [(0, 1 << 20), (6, 1 << 20), (1000, 0), (1000, 4000)]
        for (records, bytes) in configurations {
            let harness = try await SQLiteHarness.make(
                configuration: .init(recordCacheCapacity: records, recordCacheMaximumBytes: bytes))
            for index in 0..<20 {
                try await harness.engine.create("Contact", ["name": .string("Person \(100 + index)")], as: admin)
            }
            // One record whose row is larger than half the bytes allowed.
            _ = try await harness.engine.create(
                "Contact",
                [
                    "name": "Zed",
                    "notes": [["type": "Paragraph", "text": .string(String(repeating: "x", count: 3000))]],
                ],
                as: admin)
            let uncached = try await Self.contacts(harness.engine)
            for _ in 0..<3 {
                #expect(try await Self.contacts(harness.engine) == uncached)
                #expect(harness.engine.cachedRecordCount <= records)
                #expect(harness.engine.cachedRecordBytes <= bytes)
            }
            let small = try await Self.contacts(harness.engine, first: 2)
            #expect(small == Array(uncached.prefix(2)))
            if records > 0 && bytes > 0 { #expect(harness.engine.cachedRecordCount >= 2, "records in use stay") }
            await harness.close()
            guard bytes == 4000 else { continue }
            // Alone in a fresh cache: the large record is not kept, a small one is.
            let fresh = try await SQLiteHarness.make(
                configuration: .init(recordCacheCapacity: records, recordCacheMaximumBytes: bytes))
            let big = try await fresh.engine.create(
                "Contact",
                [
                    "name": "Zed",
                    "notes": [["type": "Paragraph", "text": .string(String(repeating: "x", count: 3000))]],
                ],
                as: admin)
            let tiny = try await fresh.engine.create("Contact", ["name": "Amy"], as: admin)
            _ = try await fresh.engine.records("Contact", ids: [big.id], as: admin)
            #expect(fresh.engine.cachedRecordCount == 0 && fresh.engine.cachedRecordBytes == 0)
            _ = try await fresh.engine.records("Contact", ids: [tiny.id], as: admin)
            #expect(fresh.engine.cachedRecordCount == 1 && fresh.engine.cachedRecordBytes > 0)
            await fresh.close()
        }
    }
}
