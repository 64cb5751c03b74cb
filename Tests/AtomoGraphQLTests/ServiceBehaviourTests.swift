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

    /// gql 4 and graphql-js (`inputValueDeprecation: true`) select `isDeprecated` on arguments and
    /// input fields; the library cannot resolve it, so the service answers it from `deprecationReason`.
    @Test func inputValueDeprecationIsAnsweredInEveryForm() async throws {
        let harness = try await GraphQLHarness.unstarted()
        defer { harness.store.close() }
        let query = """
            query Deprecation {
              __schema {
                directives { name args(includeDeprecated: true) { ...InputValue } }
                types {
                  name
                  inputFields(includeDeprecated: true) { name deprecated: isDeprecated }
                  fields(includeDeprecated: true) { name isDeprecated args(includeDeprecated: true) { ... on __InputValue { isDeprecated name } } }
                }
              }
              contactType: __type(name: "ContactWhere") { inputFields { name isDeprecated deprecationReason } }
            }
            fragment InputValue on __InputValue { name isDeprecated deprecationReason }
            """
        let body = try GraphQLHarness.json(await harness.service.execute(GraphQLRequest(query: query), as: .system).body)
        #expect(body["errors"] == nil, "\(String(describing: body["errors"]).prefix(400))")
        let types = try #require(body["data"]?["__schema"]?["types"]?.arrayValue)
        let whereType = try #require(types.first { $0["name"] == "ContactWhere" })
        let inputFields = try #require(whereType["inputFields"]?.arrayValue)
        #expect(!inputFields.isEmpty)
        #expect(inputFields.allSatisfy { $0["deprecated"] == .bool(false) && $0["isDeprecated"] == nil })
        let contacts = try #require(
            types.first { $0["name"] == "Query" }?["fields"]?.arrayValue?.first { $0["name"] == "contacts" })
        #expect(contacts["isDeprecated"] == .bool(false))
        let arguments = try #require(contacts["args"]?.arrayValue)
        #expect(arguments.contains { $0["name"] == "where" })
        #expect(arguments.allSatisfy { $0["isDeprecated"] == .bool(false) })
        let include = try #require(body["data"]?["__schema"]?["directives"]?.arrayValue?.first { $0["name"] == "include" })
        #expect(include["args"]?.arrayValue?.first?["isDeprecated"] == .bool(false))
        let direct = try #require(body["data"]?["contactType"]?["inputFields"]?.arrayValue)
        #expect(direct.allSatisfy { $0["isDeprecated"] == .bool(false) && $0["deprecationReason"] == .null })
        let text = String(decoding: await harness.service.execute(GraphQLRequest(query: query), as: .system).body, as: UTF8.self)
        #expect(!text.contains("__atomo"), "no marker leaks into the response")
        #expect(text.contains(#"{"isDeprecated":false,"name":"where"}"#), "the client's key order is kept")
    }
}
