import AtomoTesting
import Foundation
import Testing

/// crm-server on PostgreSQL (`ATOMO_DATABASE_URL`): runs when `ATOMO_POSTGRES_URL` names a server
/// (`.ci/run` starts one; `eval "$(scripts/start-postgres)"` by hand) and `psql` is installed; without
/// them it skips, or fails under `ATOMO_REQUIRE_ALL=1`. Each run uses a fresh database.
@Suite(
    "crm-server on PostgreSQL", .serialized, TestEnvironment.postgres.trait,
    TestEnvironment.program("psql", install: "Debian: apt-get install postgresql-client (.ci/run installs postgresql)").trait)
struct PostgresServerTests {
    @Test("writes, a restart, and reads back; health checks the database and the projectors")
    func roundTrip() async throws {
        let base = try #require(ProcessInfo.processInfo.environment["ATOMO_POSTGRES_URL"])
        let name = "atomo_examples_\(UInt32.random(in: 0...UInt32.max))"
        let psql = try #require(TestPaths.which("psql"))
        let created = try runProgram(psql, [base, "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE \(name)"])
        #expect(created.status == 0, "\(created.errors)")
        defer { _ = try? runProgram(psql, [base, "-c", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"]) }
        guard var components = URLComponents(string: base) else { throw TestFailure("bad ATOMO_POSTGRES_URL") }
        components.path = "/" + name
        let url = try #require(components.string)

        let data = try TestPaths.temporaryDirectory("pg")
        defer { try? FileManager.default.removeItem(at: data) }
        let environment = [
            "ATOMO_DATABASE_URL": url, "ATOMO_ADMIN_EMAIL": "admin@example.com", "ATOMO_ADMIN_PASSWORD": "Tr0ub4dor and 3 horses",
        ]
        var server = try await ServerProcess("crm-server", dataDirectory: data, environment: environment)
        var admin = try await HTTPTestClient(baseURL: server.baseURL).login("admin@example.com", "Tr0ub4dor and 3 horses")
        let contact = try await admin.graphQL(
            "mutation { createContact(input: {name: \"Ada\", notes: [{paragraph: {text: \"on PostgreSQL\"}}]}) { id } }")
        let id = try #require(((contact["data"] as? [String: Any])?["createContact"] as? [String: Any])?["id"] as? String)
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("events.sqlite").path))
        #expect(await server.stop() == 0)

        server = try await ServerProcess("crm-server", dataDirectory: data, environment: environment)
        admin = try await HTTPTestClient(baseURL: server.baseURL).login("admin@example.com", "Tr0ub4dor and 3 horses")
        let read = try await admin.graphQL(
            "query($id: ID!) { contact(id: $id) { name notes { ... on Paragraph { text } } } }", ["id": id])
        let record = (read["data"] as? [String: Any])?["contact"] as? [String: Any]
        #expect(record?["name"] as? String == "Ada", "\(read)")
        #expect((record?["notes"] as? [[String: Any]])?.first?["text"] as? String == "on PostgreSQL")
        let health = try await admin.request("GET", "/health")
        #expect(health.status == 200, "\(health.text)")
        #expect(await server.stop() == 0)
    }
}
