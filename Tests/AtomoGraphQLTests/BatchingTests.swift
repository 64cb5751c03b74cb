import AtomoContent
import AtomoSchema
import Testing

@testable import AtomoGraphQL

@Suite(.serialized) struct BatchingTests {
    @Test func listingAHundredContactsWithTheirCompanyRunsAtMostTwoReadModelQueries() async throws {
        let harness = try await GraphQLHarness.started(CRMFixture.schema(contactAccess: nil))
        defer { Task { await harness.close() } }
        _ = try await CRMSeed.seed(harness.engine, contacts: 100)
        let request = GraphQLRequest(
            query: "{ contacts(first: 100) { edges { node { id name company { id name } } } } }")
        let before = harness.engine.readModelQueryCount
        let response = try GraphQLHarness.json(await harness.service.execute(request, as: .system).body)
        let queries = harness.engine.readModelQueryCount - before
        let edges = response["data"]?["contacts"]?["edges"]?.arrayValue ?? []
        #expect(edges.count == 100)
        #expect(edges.filter { $0["node"]?["company"] != .null }.count == 90)
        #expect(queries <= 2, "\(queries) read-model queries")
    }

    @Test func reverseRelationsAndNestedLevelsAreOneQueryPerLevel() async throws {
        let harness = try await GraphQLHarness.started(CRMFixture.schema(contactAccess: nil))
        defer { Task { await harness.close() } }
        _ = try await CRMSeed.seed(harness.engine, contacts: 100)
        let request = GraphQLRequest(
            query:
                "{ companies { nodes { name contacts(first: 5) { nodes { name company { name } } } deals { nodes { contact { name } } } } } }"
        )
        let before = harness.engine.readModelQueryCount
        let response = try GraphQLHarness.json(await harness.service.execute(request, as: .system).body)
        let queries = harness.engine.readModelQueryCount - before
        #expect(response["errors"] == nil, "\(response)")
        // companies, contacts by company, their companies, deals by company, their contacts.
        #expect(queries <= 5, "\(queries) read-model queries")
    }
}
