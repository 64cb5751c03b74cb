import Foundation
import Testing

/// The newcomer path: the README's run command serves the CRM, and a scripted client does what a new
/// user tries first.
@Suite("Newcomer path", .serialized)
struct NewcomerPathTests {
    static let password = "Tr0ub4dor and 3 horses"

    /// `data` of a GraphQL response, or a failure naming its errors.
    static func data(_ response: [String: Any], _ sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
        if let errors = response["errors"] { throw TestFailure("GraphQL errors: \(errors)") }
        guard let data = response["data"] as? [String: Any] else { throw TestFailure("no data: \(response)") }
        return data
    }

    static func errorCode(_ response: [String: Any]) -> String? {
        ((response["errors"] as? [[String: Any]])?.first?["extensions"] as? [String: Any])?["code"] as? String
    }

    /// The fields of an object type in the schema a client's role sees.
    static func fields(of type: String, for client: HTTPTestClient) async throws -> Set<String> {
        let response = try await client.graphQL("query($t: String!) { __type(name: $t) { fields { name } } }", ["t": type])
        let fields = ((try data(response)["__type"] as? [String: Any])?["fields"] as? [[String: Any]]) ?? []
        return Set(fields.compactMap { $0["name"] as? String })
    }

    @Test("the README's run command serves the CRM; log in, users of every role, contacts with blocks, filters, pages, conflicts, history, asOf, per-role fields")
    func newcomer() async throws {
        // The README's first command, and the binary it builds and runs, from the clone's root.
        let readme = try String(contentsOf: TestPaths.repository.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("swift run --package-path Examples atomo dev"))
        let data = try TestPaths.temporaryDirectory("newcomer")
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try await ServerProcess(
            "atomo", ["dev"], dataDirectory: data, environment: ["ATOMO_SCHEMA": ""], workingDirectory: TestPaths.repository)
        #expect(server.output.contains("Examples/services/crm-service/schema.ts"))
        let password = try #require(
            server.errors.split(separator: "\n").first { $0.contains("password:") }?.split(separator: " ").last.map(String.init),
            "a first start in development prints the Admin's generated password")
        let anonymous = HTTPTestClient(baseURL: server.baseURL)
        let admin = try await anonymous.login("admin@example.com", password)

        // Users of each role.
        var clients: [String: HTTPTestClient] = ["Admin": admin]
        for role in ["Manager", "Sales", "Support", "Viewer"] {
            let email = "\(role.lowercased())@example.com"
            let created = try await admin.request(
                "POST", "/auth/users", json: ["email": email, "password": Self.password, "roles": [role]])
            #expect(created.status == 201, "\(created.text)")
            clients[role] = try await anonymous.login(email, Self.password)
            let me = try await try #require(clients[role]).request("GET", "/auth/me")
            #expect((me.json["user"] as? [String: Any])?["roles"] as? [String] == [role])
        }

        // Companies and contacts with blocks.
        let company = try Self.data(
            try await admin.graphQL("mutation { createCompany(input: {name: \"Acme\", industry: \"Tools\"}) { id } }"))
        let companyID = try #require((company["createCompany"] as? [String: Any])?["id"] as? String)
        var contactIDs: [String] = []
        for name in ["Carla", "Cyril", "Chen", "Dora", "Cosmo"] {
            let created = try Self.data(
                try await admin.graphQL(
                    """
                    mutation($input: ContactCreateInput!) { createContact(input: $input) { id version
                      notes { __typename ... on Paragraph { text } ... on CallLog { at summary } } } }
                    """,
                    [
                        "input": [
                            "name": name, "email": "\(name.lowercased())@acme.example", "company": companyID,
                            "notes": [
                                ["paragraph": ["text": "Met \(name) at the fair"]],
                                ["callLog": ["at": "2026-11-29T10:00:00Z", "summary": "Intro call"]],
                            ],
                        ] as [String: Any]
                    ]))
            let contact = try #require(created["createContact"] as? [String: Any])
            #expect(contact["version"] as? Int == 0)
            let notes = try #require(contact["notes"] as? [[String: Any]])
            #expect(notes.map { $0["__typename"] as? String } == ["Paragraph", "CallLog"])
            #expect(notes.last?["summary"] as? String == "Intro call")
            contactIDs.append(try #require(contact["id"] as? String))
        }

        // Filter, order and page.
        let listQuery = """
            query($after: String) { contacts(where: {name: {startsWith: "C"}}, orderBy: [{name: ASC}], first: 2, after: $after) {
              nodes { name company { name } } pageInfo { hasNextPage endCursor } totalCount } }
            """
        var names: [String] = []
        var after: Any = NSNull()
        for _ in 0..<5 {
            let page = try #require(try Self.data(try await admin.graphQL(listQuery, ["after": after]))["contacts"] as? [String: Any])
            #expect(page["totalCount"] as? Int == 4)
            let nodes = try #require(page["nodes"] as? [[String: Any]])
            #expect(nodes.count <= 2)
            names += nodes.compactMap { $0["name"] as? String }
            #expect(nodes.allSatisfy { ($0["company"] as? [String: Any])?["name"] as? String == "Acme" })
            let info = try #require(page["pageInfo"] as? [String: Any])
            guard info["hasNextPage"] as? Bool == true, let cursor = info["endCursor"] as? String else { break }
            after = cursor
        }
        #expect(names == ["Carla", "Chen", "Cosmo", "Cyril"])

        // Update with the version read, then with the same (now stale) version: CONFLICT.
        let id = contactIDs[0]
        let update = "mutation($id: ID!, $v: Int) { updateContact(id: $id, input: {name: \"Carla Diaz\"}, expectedVersion: $v) { version name } }"
        let updated = try Self.data(try await admin.graphQL(update, ["id": id, "v": 0]))
        #expect((updated["updateContact"] as? [String: Any])?["version"] as? Int == 1)
        let stale = try await admin.graphQL(update, ["id": id, "v": 0])
        #expect(Self.errorCode(stale) == "CONFLICT", "\(stale)")

        // History and time travel: as of the creation's time, and by version.
        let log = try Self.data(
            try await admin.graphQL("query($id: ID!) { contactHistory(id: $id) { kind version actor at } }", ["id": id]))
        let entries = try #require(log["contactHistory"] as? [[String: Any]])
        #expect(entries.map { $0["kind"] as? String } == ["CREATED", "UPDATED"])
        #expect(entries.map { $0["version"] as? Int } == [0, 1])
        #expect(entries.allSatisfy { $0["actor"] as? String != nil })
        // Halfway between the two commits (the times shown are rounded to the millisecond).
        let format = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let createdAt = try format.parse(try #require(entries.first?["at"] as? String))
        let updatedAt = try format.parse(try #require(entries.last?["at"] as? String))
        #expect(updatedAt.timeIntervalSince(createdAt) > 0.002)
        let between = createdAt.addingTimeInterval(updatedAt.timeIntervalSince(createdAt) / 2).formatted(format)
        let history = try Self.data(
            try await admin.graphQL(
                """
                query($id: ID!, $asOf: DateTime) { then: contact(id: $id, asOf: $asOf) { name version }
                  first: contact(id: $id, version: 0) { name } now: contact(id: $id) { name version } }
                """,
                ["id": id, "asOf": between]))
        #expect((history["then"] as? [String: Any])?["name"] as? String == "Carla")
        #expect((history["first"] as? [String: Any])?["name"] as? String == "Carla")
        #expect((history["now"] as? [String: Any])?["name"] as? String == "Carla Diaz")

        // Per-role field visibility, as the schema says: Viewer reads id and name; every other role also
        // email, company and notes.
        let viewer = try #require(clients["Viewer"])
        let viewerFields = try await Self.fields(of: "Contact", for: viewer)
        #expect(viewerFields.contains("name") && viewerFields.contains("id"))
        #expect(!viewerFields.contains("email") && !viewerFields.contains("company") && !viewerFields.contains("notes"))
        let seen = try Self.data(try await viewer.graphQL("{ contacts(first: 10) { nodes { id name } totalCount } }"))
        #expect((seen["contacts"] as? [String: Any])?["totalCount"] as? Int == 5)
        let denied = try await viewer.graphQL("{ contacts { nodes { email } } }")
        #expect(denied["errors"] != nil)
        for role in ["Admin", "Manager", "Sales", "Support"] {
            let fields = try await Self.fields(of: "Contact", for: try #require(clients[role]))
            #expect(fields.isSuperset(of: ["id", "name", "email", "company", "notes"]), "\(role): \(fields)")
            let read = try Self.data(
                try await try #require(clients[role]).graphQL(
                    "query($id: ID!) { contact(id: $id) { email company { name } } }", ["id": contactIDs[1]]))
            #expect((read["contact"] as? [String: Any])?["email"] as? String == "cyril@acme.example", "\(role)")
        }

        // Who may write: Admin, Manager and Sales create; Admin and Manager update; Admin deletes.
        let create = "mutation($n: String!) { createContact(input: {name: $n}) { id } }"
        for (role, allowed) in [("Manager", true), ("Sales", true), ("Support", false), ("Viewer", false)] {
            let response = try await try #require(clients[role]).graphQL(create, ["n": "by \(role)"])
            #expect((response["errors"] == nil) == allowed, "\(role) create: \(response)")
        }
        let rename = "mutation($id: ID!) { updateContact(id: $id, input: {name: \"Renamed\"}) { version } }"
        for (role, allowed) in [("Manager", true), ("Sales", false), ("Support", false), ("Viewer", false)] {
            let response = try await try #require(clients[role]).graphQL(rename, ["id": contactIDs[2]])
            #expect((response["errors"] == nil) == allowed, "\(role) update: \(response)")
        }
        let remove = "mutation($id: ID!) { deleteContact(id: $id) { id } }"
        for role in ["Manager", "Sales", "Support", "Viewer"] {
            let response = try await try #require(clients[role]).graphQL(remove, ["id": contactIDs[3]])
            #expect(response["errors"] != nil, "\(role) delete: \(response)")
        }
        let deleted = try await admin.graphQL(remove, ["id": contactIDs[3]])
        #expect(deleted["errors"] == nil, "\(deleted)")

        #expect(await server.stop() == 0)
    }
}
