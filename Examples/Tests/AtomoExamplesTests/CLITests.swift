import AtomoEvents
import Foundation
import Testing

/// `atomo migrate`, `atomo replay`, `atomo events tail|show`, `atomo users`, `atomo generate` and `atomo codegen`
/// as commands.
@Suite("atomo CLI", .serialized)
struct CLITests {
    static var atomo: String { TestPaths.executable("atomo").path }

    @Test("migrate is idempotent and keeps the data; events tail and show browse what the server wrote")
    func migrateAndEvents() async throws {
        let data = try TestPaths.temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: data) }
        let schema = TestPaths.crmSchema.path

        // Nothing there yet: events refuses rather than creating an empty log.
        let empty = try runProgram(Self.atomo, ["events", "tail", "--data-dir", data.path])
        #expect(empty.status != 0)
        #expect(empty.errors.contains("no event log"))

        let first = try runProgram(Self.atomo, ["migrate", "--schema", schema, "--data-dir", data.path])
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.output.contains("read models: up to date"))

        // A server writes; migrate again, twice: nothing lost, nothing duplicated.
        let environment = ["ATOMO_ADMIN_EMAIL": "admin@example.com", "ATOMO_ADMIN_PASSWORD": "Tr0ub4dor and 3 horses"]
        var server = try await ServerProcess("crm-server", dataDirectory: data, environment: environment)
        var admin = try await HTTPTestClient(baseURL: server.baseURL).login("admin@example.com", "Tr0ub4dor and 3 horses")
        let created = try await admin.graphQL("mutation { createCompany(input: {name: \"Acme\"}) { id } }")
        let id = try #require(((created["data"] as? [String: Any])?["createCompany"] as? [String: Any])?["id"] as? String)
        #expect(await server.stop() == 0)
        for _ in 0..<2 {
            let again = try runProgram(Self.atomo, ["migrate", "--schema", schema, "--data-dir", data.path])
            #expect(again.status == 0, "\(again.errors)")
        }
        server = try await ServerProcess("crm-server", dataDirectory: data, environment: environment)
        admin = try await HTTPTestClient(baseURL: server.baseURL).login("admin@example.com", "Tr0ub4dor and 3 horses")
        let listed = try await admin.graphQL("{ companies { totalCount nodes { id } } }")
        let companies = (listed["data"] as? [String: Any])?["companies"] as? [String: Any]
        #expect(companies?["totalCount"] as? Int == 1)
        #expect(await server.stop() == 0)

        // replay: rebuilds a read model from the log; the data is the same afterwards.
        let replay = try runProgram(Self.atomo, ["replay", "Company", "--schema", schema, "--data-dir", data.path])
        #expect(replay.status == 0, "\(replay.errors)")
        #expect(replay.output.contains("Company: rebuilt from"))
        let unknown = try runProgram(Self.atomo, ["replay", "Nope", "--schema", schema, "--data-dir", data.path])
        #expect(unknown.status != 0)
        #expect(unknown.errors.contains("no projector 'Nope'"))
        server = try await ServerProcess("crm-server", dataDirectory: data, environment: environment)
        admin = try await HTTPTestClient(baseURL: server.baseURL).login("admin@example.com", "Tr0ub4dor and 3 horses")
        let replayed = try await admin.graphQL("{ companies { totalCount nodes { id name } } }")
        let afterReplay = (replayed["data"] as? [String: Any])?["companies"] as? [String: Any]
        #expect(afterReplay?["totalCount"] as? Int == 1)
        #expect(((afterReplay?["nodes"] as? [[String: Any]])?.first?["name"] as? String) == "Acme")
        #expect(await server.stop() == 0)

        // events tail: the latest events, one per line; --json: one object per line.
        let tail = try runProgram(Self.atomo, ["events", "tail", "--data-dir", data.path, "--count", "50"])
        #expect(tail.status == 0, "\(tail.errors)")
        #expect(tail.output.contains("Company-\(id)@0\tCompanyCreated"))
        let json = try runProgram(
            Self.atomo, ["events", "tail", "--data-dir", data.path, "--json", "--category", "Company"])
        let lines = json.output.split(separator: "\n")
        #expect(lines.count == 1)
        let event = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(event["type"] as? String == "CompanyCreated")
        #expect(event["stream"] as? String == "Company-\(id)")
        let position = try #require(event["position"] as? Int)

        // events show: one event in full, or a whole stream.
        let one = try runProgram(Self.atomo, ["events", "show", "\(position)", "--data-dir", data.path])
        #expect(one.status == 0, "\(one.errors)")
        #expect(one.output.contains("type:           CompanyCreated"))
        #expect(one.output.contains("\"Acme\""))
        let stream = try runProgram(Self.atomo, ["events", "show", "Company-\(id)", "--data-dir", data.path])
        #expect(stream.output.contains("CompanyCreated"))
        let missing = try runProgram(Self.atomo, ["events", "show", "999999", "--data-dir", data.path])
        #expect(missing.status != 0)
    }

    @Test("generate and codegen write their files; bench explains where the benchmark lives")
    func generators() throws {
        let folder = try TestPaths.temporaryDirectory("gen")
        defer { try? FileManager.default.removeItem(at: folder) }
        let swift = folder.appendingPathComponent("Sources/CRM.swift")
        let generate = try runProgram(
            Self.atomo, ["generate", "--schema", TestPaths.crmSchema.path, "--output", swift.path])
        #expect(generate.status == 0, "\(generate.errors)")
        #expect((try? String(contentsOf: swift, encoding: .utf8))?.contains("public struct Deal: Codable") == true)
        let codegen = try runProgram(
            Self.atomo, ["codegen", "--schema", TestPaths.crmSchema.path, "--output", folder.appendingPathComponent("web").path])
        #expect(codegen.status == 0, "\(codegen.errors)")
        for file in ["types.ts", "operations.ts", "hooks.ts", "index.ts"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("web/\(file)").path))
        }
        let help = try runProgram(Self.atomo, ["bench", "--help"])
        #expect(help.output.contains("atomo-bench projection"))
    }

    @Test("users: create, list, set-roles, enable and reset-password recover a locked-out installation")
    func users() async throws {
        let data = try TestPaths.temporaryDirectory("cli-users")
        defer { try? FileManager.default.removeItem(at: data) }
        let target = ["--schema", TestPaths.crmSchema.path, "--data-dir", data.path]
        func users(_ arguments: [String], input: String? = nil) throws -> ProgramResult {
            try runProgram(Self.atomo, ["users"] + arguments + target, input: input)
        }
        let adminPassword = "correct horse battery staple"
        let bobPassword = "bob's own passphrase"

        let admin = try users(["create", "--email", "admin@example.com", "--password-stdin", "--role", "Admin"], input: adminPassword + "\n")
        #expect(admin.status == 0, "\(admin.errors)")
        let bob = try users(["create", "--email", "bob@example.com", "--password", bobPassword, "--role", "Sales"])
        #expect(bob.status == 0, "\(bob.errors)")

        // Refusals: each names what is wrong and exits non-zero.
        let refusals: [([String], String)] = [
            (["create", "--email", "weak@example.com", "--password", "short", "--role", "Sales"], "password rejected"),
            (["create", "--email", "x@example.com", "--password", bobPassword, "--role", "Pilot"], "unknown role Pilot"),
            (["create", "--email", "bob@example.com", "--password", bobPassword, "--role", "Sales"], "already registered"),
            (["create", "--email", "y@example.com", "--role", "Sales"], "--password"),
            (["set-roles", "admin@example.com", "--role", "Sales"], "last enabled user"),
            (["enable", "nobody@example.com"], "no user has the email address or id nobody@example.com"),
        ]
        for (arguments, message) in refusals {
            let result = try users(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.errors.contains(message), "\(arguments): \(result.errors)")
        }

        let listed = try users(["list"])
        #expect(listed.status == 0, "\(listed.errors)")
        let rows = listed.output.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        #expect(rows.first == ["id", "email", "roles", "disabled"])
        #expect(rows.dropFirst().map { Array($0.dropFirst().map(String.init)) } == [
            ["admin@example.com", "Admin", "no"], ["bob@example.com", "Sales", "no"],
        ])
        let bobID = try #require(rows.first { $0.count > 1 && $0[1] == "bob@example.com" }.map { String($0[0]) })

        // Bob becomes a second Admin (by id); the server's Admin disables him.
        #expect(try users(["set-roles", bobID, "--role", "Admin", "--role", "Sales"]).status == 0)
        let environment = ["ATOMO_ADMIN_EMAIL": "admin@example.com", "ATOMO_ADMIN_PASSWORD": "ignored: the Admin exists"]
        var server = try await ServerProcess("crm-server", dataDirectory: data, environment: environment)
        let client = try await HTTPTestClient(baseURL: server.baseURL).login("admin@example.com", adminPassword)
        let disabled = try await client.graphQL(
            "mutation($id: ID!) { updateUser(id: $id, input: {disabled: true}) { disabled } }", ["id": bobID])
        #expect(((disabled["data"] as? [String: Any])?["updateUser"] as? [String: Any])?["disabled"] as? Bool == true)
        #expect(await server.stop() == 0)

        // Recovery: the Admin's password is lost and Bob is disabled.
        let newPassword = "a brand new root passphrase"
        let reset = try users(["reset-password", "ADMIN@example.com", "--password-stdin"], input: newPassword + "\n")
        #expect(reset.status == 0, "\(reset.errors)")
        let enabled = try users(["enable", "bob@example.com"])
        #expect(enabled.status == 0, "\(enabled.errors)")
        #expect(try users(["list"]).output.contains("bob@example.com\tAdmin,Sales\tno"))

        server = try await ServerProcess("crm-server", dataDirectory: data, environment: environment)
        let anonymous = HTTPTestClient(baseURL: server.baseURL)
        let old = try await anonymous.request(
            "POST", "/auth/login", json: ["email": "admin@example.com", "password": adminPassword])
        #expect(old.status == 401)
        let recovered = try await anonymous.login("admin@example.com", newPassword)
        #expect(try await recovered.request("GET", "/auth/me").status == 200)
        let bobClient = try await anonymous.login("bob@example.com", bobPassword)
        #expect(try await bobClient.request("GET", "/auth/me").status == 200)
        #expect(await server.stop() == 0)
    }
}
