import AtomoContent
import AtomoEvents
import AtomoSchema
import Foundation
import Testing

@testable import AtomoGraphQL

/// Every test operation runs through both executors — Atomo's planned one and the GraphQL
/// library's with Atomo's resolvers — and must give the same data and the same errors.
@Suite(.serialized) struct DifferentialTests {
    /// Numbers compare by value (the library writes 5.0 where the planned executor writes 5).
    static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .int(let int): return .double(Double(int))
        case .array(let elements): return .array(elements.map(normalized))
        case .object(let members): return .object(members.mapValues(normalized))
        default: return value
        }
    }

    /// Errors as a set of (message, path, code): their order is not defined.
    static func errorSet(_ value: JSONValue) -> Set<String> {
        Set(
            (value["errors"]?.arrayValue ?? []).map { error in
                "\(error["message"] ?? .null) \(error["path"] ?? .null) \(error["extensions"]?["code"] ?? .null)"
            })
    }

    static func operations(_ seeded: CRMSeed.Seeded) -> [(String, GraphQLRequest)] {
        let contact = seeded.contacts[3].id
        let company = seeded.companies[1].id
        return [
            (
                "page of contacts with company and notes",
                GraphQLRequest(
                    query: """
                        { contacts(first: 50, orderBy: [{ name: ASC }]) {
                            totalCount
                            edges { cursor node { id name email version createdAt updatedAt createdBy tags
                              company { id name industry }
                              notes { __typename ... on Paragraph { text } ... on CallLog { at summary } } } }
                            pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }
                        """)
            ),
            (
                "edges without cursors, the same reference under edges and nodes, and one level below it",
                GraphQLRequest(
                    query: """
                        { contacts(first: 7, orderBy: [{ email: DESC }]) {
                            edges { node { name company { name contacts(first: 2) { nodes { name company { id } } } } } }
                            nodes { employer: company { industry } company { id } }
                            pageInfo { startCursor endCursor hasNextPage } } }
                        """)
            ),
            (
                "filters, aliases, fragments and variables",
                GraphQLRequest(
                    query: """
                        query Q($prefix: String!, $n: Int, $withCompany: Boolean!) {
                          a: contacts(first: $n, where: { name: { startsWith: $prefix }, company: { name: { in: ["Company 1", "Company 2"] } } }) {
                            nodes { ...C } }
                          b: contacts(where: { or: [{ email: { eq: "person7@example.com" } }, { not: { company: { id: { isNull: false } } } }] }) {
                            totalCount nodes { id company @include(if: $withCompany) { name } } }
                        }
                        fragment C on Contact { id name company { ... on Company { name } } }
                        """, variables: ["prefix": "Bob", "n": 5, "withCompany": true])
            ),
            (
                "reverse relations with arguments",
                GraphQLRequest(
                    query: """
                        { companies(orderBy: [{ name: DESC }]) { nodes { name
                            contacts(first: 3, orderBy: [{ name: DESC }]) { totalCount pageInfo { hasNextPage endCursor } nodes { name } }
                            deals(where: { stage: { in: [Won, Lost] } }) { totalCount nodes { title stage amount contact { name } } } } } }
                        """)
            ),
            (
                "single, time travel and history",
                GraphQLRequest(
                    query: """
                        { contact(id: "\(contact)") { id name version company { name contacts(first: 2) { nodes { name } } } }
                          old: contact(id: "\(contact)", version: 0) { name version }
                          missing: contact(id: "nope") { id }
                          contactHistory(id: "\(contact)") { kind version actor fields } }
                        """)
            ),
            (
                "aggregates",
                GraphQLRequest(
                    query: """
                        { dealsAggregate { count min { title stage amount } max { amount } sum { amount } avg { amount } }
                          won: dealsAggregate(where: { stage: { eq: Won } }) { count }
                          companiesAggregate(where: { id: { eq: "\(company)" } }) { count } }
                        """)
            ),
            (
                "paging backwards and by cursor",
                GraphQLRequest(
                    query: """
                        { last: contacts(last: 3, orderBy: [{ email: ASC }]) { nodes { email } pageInfo { hasPreviousPage hasNextPage } } }
                        """)
            ),
            (
                "errors: bad argument values and a missing record",
                GraphQLRequest(
                    query: """
                        { contacts(first: 5000) { nodes { id } } deal(id: "x") { title } typename: __typename }
                        """)
            ),
            ("a stale cursor", GraphQLRequest(query: "{ contacts(after: \"garbage\") { nodes { id } } }")),
            (
                "nested field errors null the nearest nullable field",
                GraphQLRequest(
                    query: """
                        { contacts(first: 12, orderBy: [{ name: ASC }]) { nodes { name company { name contacts(first: 5000) { totalCount } } } } }
                        """)
            ),
        ]
    }

    @Test func everyTestOperationGivesTheSameResultOnBothExecutors() async throws {
        let harness = try await GraphQLHarness.started(CRMFixture.schema(contactAccess: nil))
        defer { Task { await harness.close() } }
        let seeded = try await CRMSeed.seed(harness.engine, contacts: 60)
        let reference = GraphQLService(engine: harness.engine, executor: .reference)
        for audience in [Principal.system, Principal(userID: "v", roles: ["Viewer"])] {
            for (name, request) in Self.operations(seeded) {
                let planned = try GraphQLHarness.json(await harness.service.execute(request, as: audience).body)
                let expected = try GraphQLHarness.json(await reference.execute(request, as: audience).body)
                #expect(
                    Self.normalized(planned["data"] ?? .null) == Self.normalized(expected["data"] ?? .null),
                    "\(name): planned \(planned) reference \(expected)")
                #expect(
                    Self.errorSet(planned) == Self.errorSet(expected),
                    "\(name): planned \(planned) reference \(expected)")
                #expect(planned["data"] != nil, "\(name): \(planned)")
                if ProcessInfo.processInfo.environment["ATOMO_PRINT_DIFFERENTIAL"] != nil {
                    print(
                        name, String(describing: planned).prefix(1500), "\n  reference:",
                        String(describing: expected).prefix(1500))
                }
            }
        }
    }

    @Test func mutationsGiveTheSameResultsAndCodesOnBothExecutors() async throws {
        for executor in [GraphQLExecutorKind.planned, .reference] {
            let harness = try await GraphQLHarness.started(CRMFixture.schema(contactAccess: nil), executor: executor)
            let service = harness.service
            let created = try GraphQLHarness.json(
                await service.execute(
                    GraphQLRequest(
                        query: """
                            mutation($input: ContactCreateInput!) { createContact(input: $input) { id name version notes { __typename ... on Paragraph { text } } } }
                            """,
                        variables: ["input": ["name": "Ada", "notes": [["paragraph": ["text": "Hi"]]]]]), as: .system
                ).body)
            let id = try #require(created["data"]?["createContact"]?["id"]?.stringValue, "\(executor): \(created)")
            #expect(created["data"]?["createContact"]?["notes"] == [["__typename": "Paragraph", "text": "Hi"]])
            let updated = try GraphQLHarness.json(
                await service.execute(
                    GraphQLRequest(
                        query:
                            "mutation { updateContact(id: \"\(id)\", input: { name: \"Ada L\" }, expectedVersion: 0) { name version } }"
                    ),
                    as: .system
                ).body)
            #expect(updated["data"]?["updateContact"] == ["name": "Ada L", "version": 1])
            let stale = try GraphQLHarness.json(
                await service.execute(
                    GraphQLRequest(
                        query:
                            "mutation { updateContact(id: \"\(id)\", input: { name: \"X\" }, expectedVersion: 0) { name } }"
                    ),
                    as: .system
                ).body)
            #expect(stale.firstErrorCode == "CONFLICT", "\(executor): \(stale)")
            #expect(stale["data"] == .null)
            let invalid = try GraphQLHarness.json(
                await service.execute(
                    GraphQLRequest(
                        query: "mutation { createContact(input: { name: \"\", email: \"not-an-email\" }) { id } }"),
                    as: .system
                ).body)
            #expect(invalid.firstErrorCode == "BAD_USER_INPUT", "\(executor): \(invalid)")
            let fields = invalid["errors"]?.arrayValue?.first?["extensions"]?["fields"]?.arrayValue?.compactMap {
                $0["field"]?.stringValue
            }
            #expect(fields?.contains("email") == true, "\(executor): \(invalid)")
            let missing = try GraphQLHarness.json(
                await service.execute(
                    GraphQLRequest(query: "mutation { deleteContact(id: \"nope\") { id } }"), as: .system
                ).body)
            #expect(missing.firstErrorCode == "NOT_FOUND", "\(executor): \(missing)")
            let deleted = try GraphQLHarness.json(
                await service.execute(
                    GraphQLRequest(
                        query:
                            "mutation { deleteContact(id: \"\(id)\") { id version } restoreContact(id: \"\(id)\") { version } }"
                    ),
                    as: .system
                ).body)
            #expect(
                deleted["data"] == [
                    "deleteContact": ["id": .string(id), "version": 2], "restoreContact": ["version": 3],
                ], "\(deleted)")
            await harness.close()
        }
    }

    /// Stored values that no longer fit the schema being served (a field made required, an enum
    /// value removed): both executors null the same positions with the same messages, and the
    /// planned executor's errors carry the field's path and `INTERNAL_SERVER_ERROR`.
    @Test func storedValuesThatDoNotFitGiveTheSameErrorsOnBothExecutors() async throws {
        let harness = try await GraphQLHarness.started(CRMFixture.schema(contactAccess: nil))
        defer { Task { await harness.close() } }
        _ = try await CRMSeed.seed(harness.engine, contacts: 12)
        var stricter = CRMFixture.schema(contactAccess: nil)
        stricter.enums = [EnumType("Stage", ["Lead", "Qualified", "Lost"])]
        for (entity, field) in [("Company", "industry"), ("Deal", "amount")] {
            let e = try #require(stricter.entities.firstIndex { $0.name == entity })
            let f = try #require(stricter.entities[e].fields.firstIndex { $0.name == field })
            stricter.entities[e].fields[f].isRequired = true
        }
        // Blocks stored before a paragraph's title was required.
        let paragraph = BlockType("Paragraph", [Field("text", .text, required: true), Field("title", .string, required: true)])
        stricter.blocks = [BlockUnion("Block", [paragraph, CRMFixture.blocks.variants[1]])]
        let reference = GraphQLService(engine: harness.engine, executor: .reference)
        try harness.service.replaceSchema(stricter)
        try reference.replaceSchema(stricter)
        let operations = [
            "{ companies(orderBy: [{ name: ASC }]) { nodes { name industry } } }",
            "{ companies(orderBy: [{ name: ASC }]) { edges { node { name industry } } } }",
            "{ deals(first: 30, orderBy: [{ title: ASC }]) { edges { node { title stage amount } } } }",
            "{ deals(first: 8, orderBy: [{ title: ASC }]) { nodes { title stage } } }",
            "{ deal: deals(first: 1, where: { stage: { eq: Lead } }) { nodes { title amount company { industry } } } }",
            "{ contacts(first: 3, orderBy: [{ name: ASC }]) { nodes { name notes { __typename ... on Paragraph { text title } } } } }",
        ]
        for query in operations {
            let request = GraphQLRequest(query: query)
            let planned = try GraphQLHarness.json(await harness.service.execute(request, as: .system).body)
            let expected = try GraphQLHarness.json(await reference.execute(request, as: .system).body)
            #expect(
                Self.normalized(planned["data"] ?? .null) == Self.normalized(expected["data"] ?? .null),
                "\(query): planned \(planned) reference \(expected)")
            // The library reports these errors without a path, or with another code; the messages
            // agree, and the planned executor's path and code are checked on their own.
            let messages = { (body: JSONValue) in Set((body["errors"]?.arrayValue ?? []).map { "\($0["message"] ?? .null)" }) }
            #expect(messages(planned) == messages(expected), "\(query): planned \(planned) reference \(expected)")
            let errors = planned["errors"]?.arrayValue ?? []
            #expect(!errors.isEmpty, "\(query): \(planned)")
            for error in errors {
                #expect(error["extensions"]?["code"] == "INTERNAL_SERVER_ERROR", "\(query): \(error)")
                let path = error["path"]?.arrayValue ?? []
                #expect(path.count >= 4 && path.last?.stringValue != nil, "\(query): \(error)")
            }
        }

        // Call logs stored, then no longer a block type: the same positions are null (the messages
        // differ: the library's names its internal value).
        stricter.blocks = [BlockUnion("Block", [paragraph])]
        try harness.service.replaceSchema(stricter)
        try reference.replaceSchema(stricter)
        let request = GraphQLRequest(query: "{ contacts(first: 2) { edges { node { name notes { ... on Paragraph { text } } } } } }")
        let planned = try GraphQLHarness.json(await harness.service.execute(request, as: .system).body)
        let expected = try GraphQLHarness.json(await reference.execute(request, as: .system).body)
        #expect(Self.normalized(planned["data"] ?? .null) == Self.normalized(expected["data"] ?? .null), "\(planned)")
        #expect(planned["errors"]?.arrayValue?.count == expected["errors"]?.arrayValue?.count, "\(planned) \(expected)")
        #expect(planned["errors"]?.arrayValue?.first?["message"] == "a block has an unknown type")
    }
}
