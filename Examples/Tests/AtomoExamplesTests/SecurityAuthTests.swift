import Foundation
import Testing

/// Issue 18's authentication findings against a real `crm-server`: login throttling that a flood of
/// unknown emails cannot turn against the Admin, trusted proxies, the last Admin, weak passwords,
/// `/auth/me`'s refusals and the modes of the files that hold secrets.
@Suite("Security: authentication", .serialized)
struct SecurityAuthTests {
    static let adminEmail = "admin@example.com"
    static let adminPassword = "Tr0ub4dor and 3 horses"
    static let environment = ["ATOMO_ADMIN_EMAIL": adminEmail, "ATOMO_ADMIN_PASSWORD": adminPassword]

    /// One failed login with a random (unknown) email, optionally as if forwarded for `forwardedFor`.
    static func failedLogin(_ client: HTTPTestClient, forwardedFor: String? = nil) async throws -> Int {
        let reply = try await client.request(
            "POST", "/auth/login",
            json: ["email": "\(UUID().uuidString.lowercased())@example.com", "password": "wrong password!"],
            headers: forwardedFor.map { ["X-Forwarded-For": $0] } ?? [:])
        return reply.status
    }

    @Test("25 failed logins with random emails from one address do not stop the Admin from logging in")
    func floodDoesNotLockOutTheAdmin() async throws {
        let data = try TestPaths.temporaryDirectory("sec-flood")
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try await ServerProcess("crm-server", dataDirectory: data, environment: Self.environment)
        defer { Task { await server.stop() } }
        let anonymous = HTTPTestClient(baseURL: server.baseURL)
        var statuses: [Int] = []
        for _ in 0..<25 { statuses.append(try await Self.failedLogin(anonymous)) }
        #expect(statuses.prefix(21).allSatisfy { $0 == 401 }, "\(statuses)")
        // The address is over its budget: its failures are answered 429 now…
        #expect(try await Self.failedLogin(anonymous) == 429)
        // …and X-Forwarded-For from an untrusted peer changes nothing: the client cannot pick its bucket.
        #expect(try await Self.failedLogin(anonymous, forwardedFor: "198.51.100.77") == 429)
        // The Admin's correct password still works, from the same address.
        let admin = try await anonymous.login(Self.adminEmail, Self.adminPassword)
        let me = try await admin.request("GET", "/auth/me")
        #expect(me.status == 200)
        #expect((me.json["user"] as? [String: Any])?["email"] as? String == Self.adminEmail)
        #expect(await server.stop() == 0)
    }

    @Test("behind --trusted-proxy the right-most untrusted X-Forwarded-For address is throttled, not the proxy")
    func trustedProxy() async throws {
        let data = try TestPaths.temporaryDirectory("sec-proxy")
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try await ServerProcess(
            "crm-server", ["--trusted-proxy", "127.0.0.0/8", "--trusted-proxy", "::1"], dataDirectory: data,
            environment: Self.environment)
        defer { Task { await server.stop() } }
        let proxy = HTTPTestClient(baseURL: server.baseURL)
        for _ in 0..<21 { _ = try await Self.failedLogin(proxy, forwardedFor: "6.6.6.6, 203.0.113.5") }
        #expect(try await Self.failedLogin(proxy, forwardedFor: "203.0.113.5") == 429)
        // Another client behind the same proxy (and the spoofed left part) has its own budget.
        #expect(try await Self.failedLogin(proxy, forwardedFor: "198.51.100.8") == 401)
        #expect(try await Self.failedLogin(proxy, forwardedFor: "6.6.6.6") == 401)
        #expect(await server.stop() == 0)

        // A malformed network is a startup error that names it.
        let bad = try runProgram(
            TestPaths.executable("crm-server").path,
            ["--port", "0", "--data-dir", data.path, "--trusted-proxy", "10.0.0.0/33"], environment: Self.environment,
            timeLimit: .seconds(60))
        #expect(bad.status != 0)
        #expect(bad.errors.contains("invalid trusted proxy") && bad.errors.contains("10.0.0.0/33"), "\(bad.errors)")
        var environment = ProcessInfo.processInfo.environment.merging(Self.environment) { $1 }
        environment["ATOMO_TRUSTED_PROXIES"] = "10.0.0.0/8,proxy.example.com"
        let badEnvironment = try runProgram(
            TestPaths.executable("crm-server").path, ["--port", "0", "--data-dir", data.path], environment: environment,
            timeLimit: .seconds(60))
        #expect(badEnvironment.status != 0)
        #expect(badEnvironment.errors.contains("ATOMO_TRUSTED_PROXIES"), "\(badEnvironment.errors)")
    }

    @Test("the last Admin can neither disable itself nor drop its Admin role: 409-style CONFLICT with a clear message")
    func lastAdministrator() async throws {
        let data = try TestPaths.temporaryDirectory("sec-admin")
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try await ServerProcess("crm-server", dataDirectory: data, environment: Self.environment)
        defer { Task { await server.stop() } }
        let admin = try await HTTPTestClient(baseURL: server.baseURL).login(Self.adminEmail, Self.adminPassword)
        let id = try #require(
            ((try await admin.request("GET", "/auth/me")).json["user"] as? [String: Any])?["id"] as? String)
        for input in ["{disabled: true}", "{roles: [Sales]}", "{roles: []}"] {
            let reply = try await admin.graphQL(
                "mutation($id: ID!) { updateUser(id: $id, input: \(input)) { id roles disabled } }", ["id": id])
            let error = (reply["errors"] as? [[String: Any]])?.first
            #expect((error?["extensions"] as? [String: Any])?["code"] as? String == "CONFLICT", "\(input): \(reply)")
            #expect((error?["message"] as? String)?.contains("last enabled user") == true, "\(input): \(reply)")
        }
        // Nothing changed: the Admin is still an enabled Admin and can still log in.
        let again = try await HTTPTestClient(baseURL: server.baseURL).login(Self.adminEmail, Self.adminPassword)
        let me = try await again.graphQL("{ me { roles disabled } }")
        let user = (me["data"] as? [String: Any])?["me"] as? [String: Any]
        #expect(user?["roles"] as? [String] == ["Admin"])
        #expect(user?["disabled"] as? Bool == false)
        #expect(await server.stop() == 0)
    }

    @Test(
        "weak passwords at POST /auth/users are 400 with a field error; /auth/me never says why a token failed; files are 0600"
    )
    func lowItems() async throws {
        let root = try TestPaths.temporaryDirectory("sec-low")
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("data")  // the server creates it
        let server = try await ServerProcess("crm-server", dataDirectory: data, environment: Self.environment)
        defer { Task { await server.stop() } }
        let anonymous = HTTPTestClient(baseURL: server.baseURL)
        let admin = try await anonymous.login(Self.adminEmail, Self.adminPassword)

        for password in ["short", "1qaz2wsx3edc", "new.user@example.com!!"] {
            let reply = try await admin.request(
                "POST", "/auth/users",
                json: ["email": "new.user@example.com", "password": password, "roles": ["Sales"]])
            #expect(reply.status == 400, "\(password): \(reply.text)")
            let error = reply.json["error"] as? [String: Any]
            #expect(error?["code"] as? String == "BAD_REQUEST")
            #expect(error?["fields"] as? [[String: String]] == [["field": "password"]], "\(password): \(reply.text)")
        }

        // /auth/me: one answer for every refused token.
        let loggedOut = try await anonymous.login(Self.adminEmail, Self.adminPassword)
        #expect(try await loggedOut.request("POST", "/auth/logout").status == 200)
        let valid = try #require(admin.token)
        let parts = valid.split(separator: ".")
        let tampered = "\(parts[0]).\(parts[1])x.\(parts[2])"
        var bodies: Set<String> = []
        for authorization in [
            nil, "Basic abc", "Bearer garbage", "Bearer \(tampered)", "Bearer \(loggedOut.token ?? "")",
        ] {
            let reply = try await anonymous.request(
                "GET", "/auth/me", headers: authorization.map { ["Authorization": $0] } ?? [:])
            #expect(reply.status == 401, "\(authorization ?? "none"): \(reply.text)")
            let error = reply.json["error"] as? [String: Any]
            #expect(error?["code"] as? String == "UNAUTHENTICATED")
            let message = (error?["message"] as? String) ?? ""
            for cause in ["session", "signature", "malformed", "expired at", "header", "Bearer <token>"] {
                #expect(!message.contains(cause), "\(authorization ?? "none") reveals \(cause): \(message)")
            }
            bodies.insert(reply.text)
        }
        #expect(bodies.count == 1, "\(bodies)")

        // The files that hold password hashes, personal data and the signing secret: owner-only.
        _ = try await admin.graphQL("mutation { createCompany(input: {name: \"Acme\"}) { id } }")
        let folder = try FileManager.default.attributesOfItem(atPath: data.path)
        #expect(((folder[.posixPermissions] as? Int) ?? 0) & 0o077 == 0, "the data folder is not owner-only")
        for name in ["events.sqlite", "events.sqlite-wal", "events.sqlite-shm", "jwt-secret"] {
            let path = data.appendingPathComponent(name).path
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect(((attributes[.posixPermissions] as? Int) ?? 0) & 0o777 == 0o600, "\(name)")
        }
        #expect(await server.stop() == 0)
    }
}
