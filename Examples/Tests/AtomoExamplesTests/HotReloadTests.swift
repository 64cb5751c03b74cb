import AtomoSchema
import Foundation
import Testing

/// `atomo dev`: saving schema.ts swaps the served schema live; a broken file keeps the last good one.
@Suite("atomo dev hot reload", .serialized)
struct HotReloadTests {
    /// Polls `check` every 50 ms until it returns true or `limit` passes; returns the time it took.
    static func waitUntil(_ limit: Duration, _ check: () async throws -> Bool) async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            if try await check() { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// How long a save may take to show. The README's "within a second" is a benchmark figure on a
    /// release build; this is a budget a loaded 2-core debug build meets, and a reload that never
    /// happens still fails.
    static let budget = Duration.seconds(15)

    @Test("a new field is served without a restart; a syntax error reports file:line:column and keeps serving")
    func reload() async throws {
        let workspace = try TestPaths.temporaryDirectory("dev")
        defer { try? FileManager.default.removeItem(at: workspace) }
        let schemaFile = workspace.appendingPathComponent("services/crm/schema.ts")
        try FileManager.default.createDirectory(
            at: schemaFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        let original = try String(contentsOf: TestPaths.crmSchema, encoding: .utf8)
        try Data(original.utf8).write(to: schemaFile)
        let server = try await ServerProcess(
            "atomo", ["dev"], dataDirectory: workspace.appendingPathComponent(".atomo"),
            environment: ["ATOMO_ADMIN_EMAIL": "admin@example.com", "ATOMO_ADMIN_PASSWORD": "Tr0ub4dor and 3 horses"],
            workingDirectory: workspace)
        let pid = server.process.processIdentifier
        let client = try await HTTPTestClient(baseURL: server.baseURL).login("admin@example.com", "Tr0ub4dor and 3 horses")
        // Data written before the change.
        let created = try await client.graphQL("mutation { createCompany(input: {name: \"Acme\"}) { id } }")
        #expect(created["errors"] == nil, "\(created)")
        let before = try await client.graphQL("{ companies { nodes { phone } } }")
        #expect(before["errors"] != nil, "phone is not in the API yet")

        func servedSchema() async throws -> Schema {
            try Schema(canonicalJSON: try await client.request("GET", "/meta/schema").body)
        }
        #expect(try await servedSchema().entity("Company")?.field("phone") == nil)

        // Add a field and save.
        let withPhone = original.replacingOccurrences(
            of: "  industry?: string\n", with: "  industry?: string\n  phone?: string\n")
        #expect(withPhone != original)
        try Data(withPhone.utf8).write(to: schemaFile)
        let took = try await Self.waitUntil(Self.budget) {
            try await client.graphQL("{ companies { nodes { name phone } } }")["errors"] == nil
        }
        #expect(took != nil, "the new field was not queryable within \(Self.budget)")
        let after = try await client.graphQL("{ companies { nodes { name phone } totalCount } }")
        let companies = (after["data"] as? [String: Any])?["companies"] as? [String: Any]
        #expect(companies?["totalCount"] as? Int == 1, "no data lost: \(after)")
        #expect(((companies?["nodes"] as? [[String: Any]])?.first)?["name"] as? String == "Acme")
        // And writable.
        let phoned = try await client.graphQL("mutation { createCompany(input: {name: \"Beta\", phone: \"+41 00\"}) { phone } }")
        #expect(((phoned["data"] as? [String: Any])?["createCompany"] as? [String: Any])?["phone"] as? String == "+41 00")
        #expect(try await servedSchema().entity("Company")?.field("phone") != nil)

        // Break the file: the last good schema keeps serving, the error names its position.
        let broken = withPhone.replacingOccurrences(of: "  phone?: string\n", with: "  phone?: string\n  fax: = 3\n")
        let line = broken.components(separatedBy: "\n").firstIndex { $0.contains("fax: =") }.map { $0 + 1 } ?? 0
        try Data(broken.utf8).write(to: schemaFile)
        let reported = try await Self.waitUntil(Self.budget) {
            let status = try await client.request("GET", "/meta/schema/status").json
            return status["error"] != nil
        }
        #expect(reported != nil, "the syntax error was not reported within \(Self.budget)")
        let status = try await client.request("GET", "/meta/schema/status").json
        let error = try #require(status["error"] as? [String: Any])
        #expect(error["line"] as? Int == line)
        #expect(error["column"] as? Int == 8)
        #expect(server.errors.contains("\(schemaFile.path):\(line):8:"))
        #expect(try await servedSchema().entity("Company")?.field("phone") != nil)
        #expect(try await client.graphQL("{ companies { nodes { phone } } }")["errors"] == nil, "the last good schema serves")
        let health = try await client.request("GET", "/health")
        #expect(((health.json["checks"] as? [String: Any])?["schema"] as? [String: Any])?["status"] as? String == "stale")

        // Fix it: the error clears and the fixed schema serves; the process never restarted.
        try Data(withPhone.replacingOccurrences(of: "  phone?: string\n", with: "  phone?: string\n  fax?: string\n").utf8)
            .write(to: schemaFile)
        let fixed = try await Self.waitUntil(Self.budget) {
            try await client.graphQL("{ companies { nodes { fax } } }")["errors"] == nil
        }
        #expect(fixed != nil, "the fixed schema was not served within \(Self.budget)")
        #expect(try await client.request("GET", "/meta/schema/status").json["error"] == nil)
        #expect(server.process.isRunning && server.process.processIdentifier == pid)
        #expect(await server.stop() == 0)
    }
}
