import AtomoContent
import AtomoEvents
import AtomoSchema
import Foundation
import Testing

@testable import AtomoGraphQL

@Suite struct HTTPHandlerTests {
    static let graphQLResponse = "application/graphql-response+json"

    static func post(
        _ body: [UInt8], accept: String? = graphQLResponse, headers: [(name: String, value: String)] = []
    )
        -> GraphQLHTTPRequest
    {
        var all: [(name: String, value: String)] = [("Content-Type", "application/json")] + headers
        if let accept { all.append(("Accept", accept)) }
        return GraphQLHTTPRequest(method: "POST", headers: all, body: body)
    }

    static func post(
        query: String, variables: JSONValue? = nil, accept: String? = graphQLResponse
    ) throws -> GraphQLHTTPRequest {
        var object: [String: JSONValue] = ["query": .string(query)]
        if let variables { object["variables"] = variables }
        return post(Array(try JSONEncoder().encode(JSONValue.object(object))), accept: accept)
    }

    static func handler(_ harness: GraphQLHarness) -> GraphQLHTTPHandler {
        GraphQLHTTPHandler(service: harness.service) { token in
            token == "sales-token" ? Principal(userID: "u-1", roles: ["Sales"]) : nil
        }
    }

    @Test func aQueryOverPOSTAndGETAnswersWithTheGraphQLResponseMediaType() async throws {
        let harness = try await GraphQLHarness.unstarted()
        defer { harness.store.close() }
        let handler = Self.handler(harness)
        let post = await handler.handle(try Self.post(query: "{ schemaFingerprint }"))
        #expect(post.status == 200)
        #expect(post.header("content-type")?.hasPrefix(Self.graphQLResponse) == true)
        let fingerprint = try GraphQLHarness.json(post.body)["data"]?["schemaFingerprint"]?.stringValue
        #expect(fingerprint == CRMFixture.schema().fingerprint)

        let get = await handler.handle(
            GraphQLHTTPRequest(
                method: "GET", headers: [("Accept", Self.graphQLResponse)],
                queryString: "query=%7B+schemaFingerprint+%7D"))
        #expect(get.status == 200)
        #expect(try GraphQLHarness.json(get.body)["data"]?["schemaFingerprint"]?.stringValue == fingerprint)
    }

    @Test func statusCodesFollowTheGraphQLOverHTTPSpecification() async throws {
        let harness = try await GraphQLHarness.unstarted()
        defer { harness.store.close() }
        let handler = Self.handler(harness)

        // A mutation over GET is 405 with Allow: POST.
        let mutation = await handler.handle(
            GraphQLHTTPRequest(
                method: "GET", headers: [("Accept", Self.graphQLResponse)],
                queryString: "query=mutation%7BdeleteContact(id:%221%22)%7Bid%7D%7D"))
        #expect(mutation.status == 405)
        #expect(mutation.header("allow") == "POST")

        // Parse and validation errors: 400 with graphql-response+json, 200 with application/json.
        let parse = await handler.handle(try Self.post(query: "{ contacts { "))
        #expect(parse.status == 400)
        #expect(try GraphQLHarness.json(parse.body).firstErrorCode == "GRAPHQL_PARSE_FAILED")
        #expect(try GraphQLHarness.json(parse.body)["data"] == nil)
        let invalid = await handler.handle(try Self.post(query: "{ contacts { nodes { nickname } } }"))
        #expect(invalid.status == 400)
        #expect(try GraphQLHarness.json(invalid.body).firstErrorCode == "GRAPHQL_VALIDATION_FAILED")
        let legacy = await handler.handle(
            try Self.post(query: "{ contacts { nodes { nickname } } }", accept: "application/json"))
        #expect(legacy.status == 200)
        #expect(legacy.header("content-type")?.hasPrefix("application/json") == true)
        let noAccept = await handler.handle(try Self.post(query: "{ schemaFingerprint }", accept: nil))
        #expect(noAccept.header("content-type")?.hasPrefix("application/json") == true)

        // Not acceptable, unsupported media type, method not allowed.
        #expect(await handler.handle(try Self.post(query: "{ schemaFingerprint }", accept: "text/html")).status == 406)
        let form = GraphQLHTTPRequest(
            method: "POST", headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("query=x".utf8))
        #expect(await handler.handle(form).status == 415)
        #expect(await handler.handle(GraphQLHTTPRequest(method: "PUT")).status == 405)

        // A body that is JSON but not a request.
        #expect(await handler.handle(Self.post(Array("[1,2]".utf8))).status == 400)
        #expect(await handler.handle(Self.post(Array("{\"query\": 5}".utf8))).status == 400)

        // A bad token is 401 UNAUTHENTICATED; a good one selects the role's schema.
        var bad = try Self.post(query: "{ schemaFingerprint }")
        bad.headers.append(("Authorization", "Bearer nope"))
        let unauthenticated = await handler.handle(bad)
        #expect(unauthenticated.status == 401)
        #expect(unauthenticated.header("www-authenticate") == "Bearer")
        #expect(try GraphQLHarness.json(unauthenticated.body).firstErrorCode == "UNAUTHENTICATED")
        var sales = try Self.post(query: "{ contacts { nodes { email } } }")
        sales.headers.append(("Authorization", "Bearer sales-token"))
        #expect(await handler.handle(sales).status == 400)  // email is not in Sales's schema
    }

    @Test func introspectionCanBeTurnedOff() async throws {
        var limits = GraphQLLimits()
        limits.introspection = false
        let harness = try await GraphQLHarness.unstarted(limits: limits)
        defer { harness.store.close() }
        let response = await Self.handler(harness).handle(try Self.post(query: "{ __schema { types { name } } }"))
        #expect(response.status == 400)
        #expect(try GraphQLHarness.json(response.body).firstErrorCode == "GRAPHQL_VALIDATION_FAILED")
        let typename = await Self.handler(harness).handle(try Self.post(query: "{ __typename }"))
        #expect(try GraphQLHarness.json(typename.body)["data"]?["__typename"] == "Query")
    }

    @Test func anonymousCallersAreToldToAuthenticate() async throws {
        let harness = try await GraphQLHarness.started(CRMFixture.schema(contactAccess: nil))
        defer { Task { await harness.close() } }
        let handler = Self.handler(harness)
        for query in [
            #"mutation { createCompany(input: {name: "X"}) { id } }"#, "{ companies { nodes { id } } }",
            "{ contacts { totalCount } }",
        ] {
            let response = await handler.handle(try Self.post(query: query))
            #expect(response.status == 401, "\(query)")
            #expect(response.headers.contains { $0.name == "WWW-Authenticate" && $0.value == "Bearer" })
            #expect(try GraphQLHarness.json(response.body).firstErrorCode == "UNAUTHENTICATED", "\(query)")
        }
        // A document nobody could run is still a validation error, and nothing was written.
        let wrong = await handler.handle(try Self.post(query: "{ noSuchField }"))
        #expect(try GraphQLHarness.json(wrong.body).firstErrorCode == "GRAPHQL_VALIDATION_FAILED")
        let list = try await harness.engine.list(RecordQuery("Company"), as: .system)
        #expect(list.records.isEmpty)
    }

    @Test func introspectionRunsOnTheLibraryExecutor() async throws {
        let harness = try await GraphQLHarness.unstarted()
        defer { harness.store.close() }
        var request = try Self.post(query: IntrospectionQuery.text)
        request.headers.append(("Authorization", "Bearer sales-token"))
        let response = await Self.handler(harness).handle(request)
        #expect(response.status == 200)
        let types = try GraphQLHarness.json(response.body)["data"]?["__schema"]?["types"]?.arrayValue ?? []
        #expect(types.contains { $0["name"] == "ContactConnection" })
        // A caller without a token sees no entity the schema does not grant to `anonymous`.
        let anonymous = await Self.handler(harness).handle(try Self.post(query: IntrospectionQuery.text))
        let anonymousTypes = try GraphQLHarness.json(anonymous.body)["data"]?["__schema"]?["types"]?.arrayValue ?? []
        #expect(!anonymousTypes.isEmpty)
        #expect(!anonymousTypes.contains { $0["name"] == "ContactConnection" || $0["name"] == "CompanyConnection" })
    }

    // MARK: Hostile documents: rejected with errors, quickly, without crashing.

    @Test func nestingAThousandDeepIsRejectedBeforeParsing() async throws {
        let harness = try await GraphQLHarness.unstarted()
        defer { harness.store.close() }
        let deep = String(repeating: "{ contacts ", count: 1_000) + String(repeating: "}", count: 1_000)
        let response = await Self.handler(harness).handle(try Self.post(query: deep))
        #expect(response.status == 400)
        #expect(try GraphQLHarness.json(response.body).firstErrorCode == "LIMIT_EXCEEDED")
        // Deeper than the scan limit but within the size limit: still cheap, same answer.
        let deeper = String(repeating: "[", count: 30_000)
        let list = await Self.handler(harness).handle(try Self.post(query: "{ contact(id: \(deeper)) { id } }"))
        #expect(try GraphQLHarness.json(list.body).firstErrorCode == "LIMIT_EXCEEDED")
        // Selection depth within the nesting scan's bound is checked on the parsed document.
        let path =
            ["companies", "nodes"] + Array(repeating: ["contacts", "nodes", "company"], count: 5).flatMap { $0 }
        let selections =
            "{ " + path.map { $0 + " { " }.joined() + "name" + String(repeating: " }", count: path.count) + " }"
        let nested = await Self.handler(harness).handle(try Self.post(query: selections))
        #expect(
            try GraphQLHarness.json(nested.body).firstErrorCode == "LIMIT_EXCEEDED",
            "\(String(decoding: nested.body, as: UTF8.self))")
    }

    @Test func tenThousandAliasesAreRejected() async throws {
        let aliases = (0..<10_000).map { "a\($0): schemaFingerprint" }.joined(separator: " ")
        let harness = try await GraphQLHarness.unstarted()
        defer { harness.store.close() }
        let bySize = await Self.handler(harness).handle(try Self.post(query: "{ \(aliases) }"))
        #expect(bySize.status == 400)
        #expect(try GraphQLHarness.json(bySize.body).firstErrorCode == "LIMIT_EXCEEDED")

        var limits = GraphQLLimits()
        limits.maxDocumentBytes = 1 << 20
        limits.maxTokens = 100_000
        let roomy = try await GraphQLHarness.unstarted(limits: limits)
        defer { roomy.store.close() }
        let byCount = await Self.handler(roomy).handle(try Self.post(query: "{ \(aliases) }"))
        let body = try GraphQLHarness.json(byCount.body)
        #expect(body.firstErrorCode == "LIMIT_EXCEEDED")
        #expect(body["errors"]?.arrayValue?.first?["message"]?.stringValue?.contains("aliases") == true)
    }

    @Test func aOneMegabyteStringIsRejected() async throws {
        let harness = try await GraphQLHarness.unstarted()
        defer { harness.store.close() }
        let big = String(repeating: "x", count: 1 << 20)
        let inBody = await Self.handler(harness).handle(try Self.post(query: "{ contact(id: \"\(big)\") { id } }"))
        #expect(inBody.status == 413)
        let inDocument = await Self.handler(harness).handle(
            try Self.post(query: "{ contact(id: \"\(String(repeating: "x", count: 100_000))\") { id } }"))
        #expect(inDocument.status == 400)
        #expect(try GraphQLHarness.json(inDocument.body).firstErrorCode == "LIMIT_EXCEEDED")
    }

    @Test func invalidUTF8IsRejected() async throws {
        let harness = try await GraphQLHarness.unstarted()
        defer { harness.store.close() }
        var body = Array("{\"query\": \"{ schemaFingerprint }\", \"x\": \"".utf8)
        body += [0xFF, 0xFE, 0xC3]
        body += Array("\"}".utf8)
        let response = await Self.handler(harness).handle(Self.post(body))
        #expect(response.status == 400)
        #expect(try GraphQLHarness.json(response.body).firstErrorCode == "BAD_REQUEST")
        let get = await Self.handler(harness).handle(
            GraphQLHTTPRequest(method: "GET", headers: [("Accept", Self.graphQLResponse)], queryString: "query=%FF%FE"))
        #expect(get.status == 400)
    }

    @Test func hugeVariablesAreRejected() async throws {
        let harness = try await GraphQLHarness.unstarted()
        defer { harness.store.close() }
        let deep =
            "{\"query\": \"query($v: JSON) { schemaFingerprint }\", \"variables\": {\"v\": "
            + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}}"
        let nested = await Self.handler(harness).handle(Self.post(Array(deep.utf8)))
        #expect(nested.status == 400)
        #expect(
            try GraphQLHarness.json(nested.body).firstErrorCode == "LIMIT_EXCEEDED",
            "\(String(decoding: nested.body, as: UTF8.self))")
        let wide =
            "{\"query\": \"{ schemaFingerprint }\", \"variables\": {\"v\": ["
            + Array(repeating: "1234567890", count: 200_000).joined(separator: ",") + "]}}"
        let tooBig = await Self.handler(harness).handle(Self.post(Array(wide.utf8)))
        #expect(tooBig.status == 413)
    }

    @Test func aFragmentBombStopsAtTheFieldBudget() async throws {
        let harness = try await GraphQLHarness.unstarted()
        defer { harness.store.close() }
        var fragments = "fragment F0 on Query { schemaFingerprint a: schemaFingerprint }\n"
        for level in 1..<30 {
            fragments += "fragment F\(level) on Query { ...F\(level - 1) ...F\(level - 1) }\n"
        }
        let response = await Self.handler(harness).handle(try Self.post(query: "{ ...F29 }\n" + fragments))
        #expect(response.status == 400)
        #expect(try GraphQLHarness.json(response.body).firstErrorCode == "LIMIT_EXCEEDED")
    }
}
