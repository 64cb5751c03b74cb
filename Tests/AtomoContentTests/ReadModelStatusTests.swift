import AtomoContent
import AtomoEvents
import AtomoProjection
import AtomoSchema
import Testing

@Suite("Read-model status")
struct ReadModelStatusTests {
    /// Polls until every entity's stored checkpoint has reached `head`, or gives up after 5 s.
    static func caughtUp(_ engine: ContentEngine, head: Int64) async throws -> [ReadModelStatus] {
        var status = try await engine.readModelStatus()
        for _ in 0..<100 where !status.allSatisfy({ $0.checkpoint >= head }) {
            try await Task.sleep(for: .milliseconds(50))
            status = try await engine.readModelStatus()
        }
        return status
    }

    @Test("every entity's stored checkpoint reaches the head; a rebuild moves it to the next version")
    func statusFollowsTheLog() async throws {
        let harness = try await SQLiteHarness.make()
        let engine = harness.engine
        let company = try await engine.create("Company", ["name": "Acme"], as: admin)
        for index in 0..<20 {
            _ = try await engine.create("Contact", ["name": .string("C\(index)"), "company": .string(company.id)], as: admin)
        }
        let head = try await harness.store.headPosition()
        let status = try await Self.caughtUp(engine, head: head)
        #expect(status.map(\.entity) == CRM.schema.entities.map(\.name), "one entry per entity, in schema order")
        #expect(status.allSatisfy { $0.checkpoint >= head }, "\(status.map { ($0.entity, $0.checkpoint) }) vs \(head)")
        #expect(status.first { $0.entity == "Contact" }?.projector == "content.Contact@v1")
        #expect(status.allSatisfy { $0.runner?.state == .live })

        try await engine.rebuildReadModel("Contact")
        let after = try await Self.caughtUp(engine, head: head)
        let contact = try #require(after.first { $0.entity == "Contact" })
        #expect(contact.projector == "content.Contact@v2")
        #expect(contact.checkpoint >= head)
        #expect(contact.runner?.name == "content.Contact@v2")

        await engine.stop()
        await #expect(throws: ContentError.notRunning) { try await engine.readModelStatus() }
        harness.store.close()
    }
}
