import AtomoTesting
import Foundation
import Testing

/// Real GraphQL clients in Python against crm-server: gql over HTTP, websockets speaking
/// graphql-transport-ws, graphql-core validating the served introspection.
/// They run when `ATOMO_INTEROP_PYTHON` names a Python with Tests/interop/requirements.txt installed
/// (scripts/test prepares one); without it they skip, or fail under `ATOMO_REQUIRE_ALL=1`.
@Suite("Python GraphQL clients", .serialized, CRMClientsPython.requirement.trait)
struct InteropTests {
    static var python: String { TestEnvironment.interopPython ?? "python3" }
    static var script: String {
        TestPaths.examples.appendingPathComponent("Tests/interop/crm_clients.py").path
    }
    static let adminEnvironment = ["ATOMO_ADMIN_EMAIL": "admin@example.com", "ATOMO_ADMIN_PASSWORD": "Tr0ub4dor and 3 horses"]

    static func json(_ text: String) throws -> [String: Any] {
        let line = text.split(separator: "\n").last.map(String.init) ?? ""
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(text)")
        }
        return object
    }

    @Test("gql over HTTP: validates its documents against the fetched schema, creates and filters")
    func gqlOverHTTP() async throws {
        let data = try TestPaths.temporaryDirectory("gql")
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try await ServerProcess("crm-server", dataDirectory: data, environment: Self.adminEnvironment)
        let admin = try await HTTPTestClient(baseURL: server.baseURL).login("admin@example.com", "Tr0ub4dor and 3 horses")
        let result = try runProgram(Self.python, [Self.script, "gql", server.baseURL, try #require(admin.token)])
        #expect(result.status == 0, "\(result.errors)")
        let output = try Self.json(result.output)
        #expect((output["created"] as? [String: Any])?["name"] as? String == "Python Corp")
        let listed = try #require(output["listed"] as? [String: Any])
        #expect(listed["totalCount"] as? Int == 1)
        #expect(((listed["nodes"] as? [[String: Any]])?.first)?["industry"] as? String == "Software")
        #expect(await server.stop() == 0)
    }

    @Test("websockets + graphql-transport-ws: a contactChanged event caused by another client arrives")
    func subscriptionOverWebSocket() async throws {
        let data = try TestPaths.temporaryDirectory("ws")
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try await ServerProcess("crm-server", dataDirectory: data, environment: Self.adminEnvironment)
        let admin = try await HTTPTestClient(baseURL: server.baseURL).login("admin@example.com", "Tr0ub4dor and 3 horses")
        let created = try await admin.graphQL(
            "mutation { createContact(input: {name: \"Ada\", email: \"ada@example.com\"}) { id version } }")
        let id = try #require(((created["data"] as? [String: Any])?["createContact"] as? [String: Any])?["id"] as? String)

        // The subscriber is a Sales user; the change comes from the Admin.
        _ = try await admin.request(
            "POST", "/auth/users", json: ["email": "sam@example.com", "password": "correct horse battery", "roles": ["Sales"]])
        let sales = try await HTTPTestClient(baseURL: server.baseURL).login("sam@example.com", "correct horse battery")
        let ready = data.appendingPathComponent("ready")
        let subscriber = Task.detached {
            try runProgram(Self.python, [Self.script, "subscribe", server.baseURL, sales.token ?? "", id, ready.path])
        }
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: ready.path) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let updated = try await admin.graphQL(
            "mutation($id: ID!) { updateContact(id: $id, input: {name: \"Ada Lovelace\"}, expectedVersion: 0) { version } }",
            ["id": id])
        #expect(updated["errors"] == nil, "\(updated)")
        let result = try await subscriber.value
        #expect(result.status == 0, "\(result.errors)")
        let payload = try Self.json(result.output)
        let event = try #require((payload["data"] as? [String: Any])?["contactChanged"] as? [String: Any])
        #expect(event["kind"] as? String == "UPDATED")
        #expect(event["id"] as? String == id)
        #expect(event["version"] as? Int == 1)
        #expect((event["record"] as? [String: Any])?["name"] as? String == "Ada Lovelace")
        #expect(await server.stop() == 0)
    }

    @Test("graphql-core builds a schema from the served introspection and validates operations against it")
    func introspectionValidates() async throws {
        let data = try TestPaths.temporaryDirectory("introspect")
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try await ServerProcess("crm-server", dataDirectory: data, environment: Self.adminEnvironment)
        let admin = try await HTTPTestClient(baseURL: server.baseURL).login("admin@example.com", "Tr0ub4dor and 3 horses")
        let result = try runProgram(Self.python, [Self.script, "introspect", server.baseURL, try #require(admin.token)])
        #expect(result.status == 0, "\(result.errors)")
        let output = try Self.json(result.output)
        #expect((output["types"] as? Int ?? 0) > 20)
        let errors = try #require(output["errors"] as? [String: [String]])
        #expect(errors["list"] == [])
        #expect(errors["history"] == [])
        #expect(errors["update"] == [])
        #expect(errors["invalid"]?.isEmpty == false)
        #expect(await server.stop() == 0)
    }
}

/// The Python the clients run with: gql (with requests), websockets and graphql-core importable by
/// `ATOMO_INTEROP_PYTHON`.
enum CRMClientsPython {
    static let requirement = TestEnvironment.interopPython(importing: ["gql", "requests", "websockets", "graphql"])
}
