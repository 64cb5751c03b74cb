import AtomoContent
import AtomoProjection
import AtomoSchema
import Foundation
import Synchronization
import Testing

@Suite("Rebuilding a read model")
struct RebuildTests {
    @Test("A rebuild from the log keeps every record, reports progress, and readers never see an empty table")
    func rebuildKeepsEveryRecord() async throws {
        let harness = try await SQLiteHarness.make()
        defer { Task { await harness.close() } }
        let engine = harness.engine
        var ids: [String] = []
        for index in 0..<300 {
            ids.append(try await engine.create("Company", ["name": .string("Company \(index)")], as: admin).id)
        }
        _ = try await engine.update("Company", id: ids[7], ["name": "Renamed"], expectedVersion: 0, as: admin)
        _ = try await engine.delete("Company", id: ids[8], as: admin)
        let before = try await engine.list(RecordQuery("Company", page: .offset(0, limit: 1000)), as: admin)

        let reports = Mutex<[ProjectionHealth]>([])
        let readerSawEmpty = Mutex(false)
        let reader = Task {
            while !Task.isCancelled {
                let page = try await engine.list(RecordQuery("Company", page: .first(1, after: nil)), as: admin)
                if page.records.isEmpty { readerSawEmpty.withLock { $0 = true } }
            }
        }
        try await engine.rebuildReadModel("Company") { health in reports.withLock { $0.append(health) } }
        reader.cancel()

        let after = try await engine.list(RecordQuery("Company", page: .offset(0, limit: 1000)), as: admin)
        #expect(after.records == before.records)
        #expect(after.records.count == 299)
        #expect(try await engine.get("Company", id: ids[7], as: admin)?["name"] == "Renamed")
        #expect(!readerSawEmpty.withLock { $0 })
        #expect(reports.withLock { $0.allSatisfy { $0.checkpoint <= $0.head } })
        await #expect(throws: ContentError.unknownEntity("Nope")) { try await engine.rebuildReadModel("Nope") }
    }
}
