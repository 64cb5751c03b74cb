import AtomoContent
import AtomoEvents
import AtomoSchema
import Testing

@testable import AtomoGraphQL

@Suite(.serialized) struct ServiceBehaviourTests {
    @Test func aReloadedSchemaServesTheNextRequest() async throws {
        let harness = try await GraphQLHarness.unstarted()
        defer { harness.store.close() }
        let before = try GraphQLHarness.json(
            await harness.service.execute(GraphQLRequest(query: "{ schemaFingerprint }"), as: .system).body)
        var changed = CRMFixture.schema()
        changed.entities.append(Entity("Task", fields: [Field("title", .string)]))
        try harness.service.replaceSchema(changed)
        let after = try GraphQLHarness.json(
            await harness.service.execute(GraphQLRequest(query: "{ schemaFingerprint }"), as: .system).body)
        #expect(before["data"]?["schemaFingerprint"]?.stringValue == CRMFixture.schema().fingerprint)
        #expect(after["data"]?["schemaFingerprint"]?.stringValue == changed.fingerprint)
        let validates = await harness.service.execute(GraphQLRequest(query: "{ tasks { totalCount } }"), as: .system)
        #expect(validates.requestError == nil)
    }

    @Test func executionStopsAtTheTimeout() async throws {
        var limits = GraphQLLimits()
        limits.executionTimeout = .milliseconds(20)
        let harness = try await GraphQLHarness.started(CRMFixture.schema(contactAccess: nil), limits: limits)
        defer { Task { await harness.close() } }
        _ = try await CRMSeed.seed(harness.engine, contacts: 100)
        // Many aliased list fields, each a read-model query: far more than 20 ms.
        let fields = (0..<60).map { "a\($0): contacts(first: 100) { nodes { name company { name } } }" }.joined(
            separator: " ")
        let response = await harness.service.execute(GraphQLRequest(query: "{ \(fields) }"), as: .system)
        let body = try GraphQLHarness.json(response.body)
        #expect(body.firstErrorCode == "TIMEOUT", "\(String(describing: body).prefix(300))")
        #expect(body["data"] == .null)
    }

    @Test func errorsNeverCarryStorageDetails() async throws {
        let harness = try await GraphQLHarness.unstarted()
        defer { harness.store.close() }
        // The engine is not running: the failure is internal, and says nothing more.
        let response = try GraphQLHarness.json(
            await harness.service.execute(GraphQLRequest(query: "{ contacts { totalCount } }"), as: .system).body)
        #expect(response.firstErrorCode == "INTERNAL_SERVER_ERROR")
        #expect(response["errors"]?.arrayValue?.first?["message"] == "internal server error")
    }
}
