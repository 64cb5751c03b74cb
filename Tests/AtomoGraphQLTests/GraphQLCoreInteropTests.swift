import AtomoSchema
import AtomoTesting
import Foundation
import GraphQL
import Testing

@testable import AtomoGraphQL

/// Runs `Tests/interop/graphql/client.py` with the interpreter in `ATOMO_INTEROP_PYTHON` (a venv
/// with graphql-core 3.2, made by `scripts/test`): one JSON request in, one JSON response out.
enum GraphQLCoreClient {
    static var python: String? { TestEnvironment.interopPython }

    /// graphql-core importable by `ATOMO_INTEROP_PYTHON`.
    static let requirement = TestEnvironment.interopPython(importing: ["graphql"])

    static var script: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("interop/graphql/client.py")
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func run(_ request: Data) async throws -> [String: Any] {
        guard let python else { throw Failure(description: "ATOMO_INTEROP_PYTHON is not set") }
        let inputPath = FileManager.default.temporaryDirectory.appendingPathComponent(
            "atomo-graphql-\(UUID().uuidString).json")
        try request.write(to: inputPath)
        defer { try? FileManager.default.removeItem(at: inputPath) }
        let outcome = try await HelperProcess(
            executable: URL(fileURLWithPath: python), arguments: [script.path], input: inputPath, timeLimit: .seconds(300)
        ).finish()
        guard outcome.status == 0, !outcome.killedBySignal,
            let response = try JSONSerialization.jsonObject(with: outcome.output) as? [String: Any]
        else {
            throw Failure(description: "client.py failed (\(outcome.status)): \(outcome.errors)")
        }
        return response
    }
}

/// Example operations and the roles for which each must validate.
struct ExampleOperation: Sendable {
    let name: String
    let document: String
    let validFor: Set<String>

    static let everyone: Set<String> = Set(CRMFixture.designRoles + ["(system)"])
    static let readsContactCompany: Set<String> = ["Viewer", "(system)"]

    static let all: [ExampleOperation] = [
        ExampleOperation(
            name: "contact names and system fields",
            document: "{ contacts { nodes { id name version createdAt updatedAt createdBy } } }", validFor: everyone),
        ExampleOperation(
            name: "contacts with company, filtered, ordered, paged",
            document: """
                query Page($after: String) {
                  contacts(first: 100, after: $after, where: { name: { startsWith: "A" } }, orderBy: [{ name: ASC }]) {
                    totalCount
                    edges { cursor node { id name version company { id name } } }
                    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
                  }
                }
                """, validFor: readsContactCompany),
        ExampleOperation(
            name: "contact email", document: "{ contact(id: \"1\") { email } }", validFor: readsContactCompany),
        ExampleOperation(
            name: "create contact",
            document: "mutation New($input: ContactCreateInput!) { createContact(input: $input) { id version } }",
            validFor: everyone),
        ExampleOperation(
            name: "update contact with expected version",
            document:
                "mutation { updateContact(id: \"1\", input: { name: \"Bo\" }, expectedVersion: 3) { id version } }",
            validFor: ["Admin", "Manager", "(system)"]),
        ExampleOperation(
            name: "delete and restore",
            document: "mutation { deleteContact(id: \"1\") { id } restoreContact(id: \"1\") { id version } }",
            validFor: everyone),
        ExampleOperation(
            name: "deal aggregates",
            document: """
                { dealsAggregate(where: { stage: { in: [Won, Lost] } }) { count sum { amount } avg { amount } min { title amount } max { amount } } }
                """, validFor: everyone),
        ExampleOperation(
            name: "company contacts connection",
            document: "{ companies(first: 10) { nodes { name contacts(first: 5) { totalCount nodes { name } } } } }",
            validFor: readsContactCompany),
        ExampleOperation(
            name: "history and time travel",
            document: """
                { contact(id: "1", asOf: "2026-01-01T00:00:00Z") { name } old: contact(id: "1", version: 0) { name }
                  contactHistory(id: "1") { kind version at actor fields previous } }
                """, validFor: everyone),
        ExampleOperation(
            name: "filter tree and one level into references",
            document: """
                { deals(where: { or: [{ amount: { gt: 10 } }, { not: { stage: { eq: Lead } } }], company: { name: { startsWith: "A" } } }) { totalCount } }
                """, validFor: everyone),
        ExampleOperation(
            name: "subscription with filter",
            document:
                "subscription { contactsChanged(where: { name: { eq: \"Ada\" } }) { kind id version changedFields record { name } } }",
            validFor: everyone),
        ExampleOperation(
            name: "notes as a block union",
            document: """
                { contacts { nodes { notes { __typename ... on Paragraph { text } ... on CallLog { at summary } } } } }
                """, validFor: ["(system)"]),
        ExampleOperation(
            name: "blocks as one-of input",
            document: """
                mutation { createContact(input: { name: "Ada", notes: [{ paragraph: { text: "Met" } }, { callLog: { at: "2026-01-01T10:00:00Z", summary: "Call" } }] }) { id } }
                """, validFor: everyone),
        ExampleOperation(name: "unknown field", document: "{ contacts { nodes { nickname } } }", validFor: []),
        ExampleOperation(
            name: "me and sessions", document: "{ me { id email roles } sessions { id startedAt } }", validFor: everyone
        ),
        ExampleOperation(
            name: "the audit log (readAudit)",
            document: "{ auditLog(where: { entities: [\"Contact\"] }) { kind at } }",
            validFor: ["Admin", "(system)"]),
        ExampleOperation(
            name: "user management",
            document: """
                mutation { createUser(input: { email: "a@b.c", password: "correct horse", roles: [Sales] }) { id roles }
                  updateUser(id: "u", input: { roles: [Viewer], disabled: true }) { disabled } }
                """, validFor: ["Admin", "(system)"]),
        ExampleOperation(
            name: "the event log",
            document: "{ events(after: \"0\", types: [\"ContactCreated\"]) { position type data } users { email } }",
            validFor: ["Admin", "(system)"]),
        ExampleOperation(
            name: "the event subscription",
            document: "subscription { events(types: [\"ContactCreated\"]) { type stream } }",
            validFor: ["Admin", "(system)"]),
    ]
}

@Suite(
    "Interoperability with graphql-core 3.2 (build_client_schema, validate)",
    GraphQLCoreClient.requirement.trait)
struct GraphQLCoreInteropTests {
    @Test func eachRolesIntrospectionLoadsAndTheExampleOperationsValidateAsExpected() async throws {
        let schema = CRMFixture.schema()
        let audiences = CRMFixture.designRoles.map(SchemaAudience.role) + [.system]
        var entries: [[String: Any]] = []
        for audience in audiences {
            let built = try RoleSchemaBuilder(
                view: SchemaView(schema: schema, audience: audience), userManagement: true
            ).build()
            // As the service runs introspection: validated, then executed with input-value deprecation answered.
            let document = try parse(source: Source(body: IntrospectionQuery.text))
            #expect(validate(schema: built.graphQLSchema, ast: document).isEmpty)
            let result = try await InputValueDeprecation.execute(
                schema: built.graphQLSchema, document: document, query: IntrospectionQuery.text, context: ())
            #expect(result.errors.isEmpty, "\(result.errors)")
            let data = try GraphQLJSONEncoder().encode(try #require(result.data))
            entries.append([
                "role": audience.description,
                "introspection": try JSONSerialization.jsonObject(with: data),
                "operations": ExampleOperation.all.map { ["name": $0.name, "document": $0.document] },
            ])
        }
        let response = try await GraphQLCoreClient.run(try JSONSerialization.data(withJSONObject: ["schemas": entries]))
        let results = try #require(response["results"] as? [[String: Any]])
        #expect(results.count == audiences.count * ExampleOperation.all.count)
        for result in results {
            let role = result["role"] as? String ?? "?"
            let name = result["name"] as? String ?? "?"
            let operation = try #require(ExampleOperation.all.first { $0.name == name })
            #expect(
                (result["valid"] as? Bool) == operation.validFor.contains(role),
                "\(role): \(name): \(result["errors"] ?? [])")
        }
        // The client's view of Sales has no email on Contact, Viewer's has.
        let sdl = try #require(response["sdl"] as? [String: String])
        #expect(sdl["Sales"]?.contains("type Contact {") == true)
        #expect(sdl["Viewer"]?.contains("email: String") == true)
    }
}
