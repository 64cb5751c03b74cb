import AtomoSchema
import Foundation
import Testing

/// `crm-server` as a user runs it: a fresh data folder, the first Admin, the auth routes, the schema
/// routes, health and metrics, and a graceful stop.
@Suite("crm-server basics", .serialized)
struct ServerBasicsTests {
    @Test("first start: a development secret and a generated Admin password, printed once; auth routes answer in JSON")
    func authRoutes() async throws {
        let data = try TestPaths.temporaryDirectory("basics")
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try await ServerProcess("crm-server", dataDirectory: data)
        let errors = server.errors
        #expect(errors.contains("ATOMO_JWT_SECRET is not set"))
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("jwt-secret").path))
        let password = try #require(
            errors.split(separator: "\n").first { $0.contains("password:") }?.split(separator: " ").last.map(String.init))
        let client = HTTPTestClient(baseURL: server.baseURL)

        // Login: token, refresh token, expiry, the user.
        let login = try await client.request(
            "POST", "/auth/login", json: ["email": "admin@example.com", "password": password])
        #expect(login.status == 200)
        let body = login.json
        let token = try #require(body["token"] as? String)
        let refresh = try #require(body["refreshToken"] as? String)
        #expect((body["expiresIn"] as? Int ?? 0) > 0)
        let user = try #require(body["user"] as? [String: Any])
        #expect(user["email"] as? String == "admin@example.com")
        #expect(user["roles"] as? [String] == ["Admin"])
        #expect(user["id"] is String)

        // Malformed body: 400; bad credentials: 401; both JSON errors.
        let malformed = try await client.request("POST", "/auth/login", body: Data("{nope".utf8))
        #expect(malformed.status == 400)
        #expect((malformed.json["error"] as? [String: Any])?["code"] as? String == "BAD_REQUEST")
        let missing = try await client.request("POST", "/auth/login", json: ["email": "admin@example.com"])
        #expect(missing.status == 400)
        let wrong = try await client.request(
            "POST", "/auth/login", json: ["email": "admin@example.com", "password": "wrong-password"])
        #expect(wrong.status == 401)
        #expect((wrong.json["error"] as? [String: Any])?["message"] is String)

        // /auth/me with and without a token.
        var authorized = client
        authorized.token = token
        let me = try await authorized.request("GET", "/auth/me")
        #expect(me.status == 200)
        #expect((me.json["user"] as? [String: Any])?["email"] as? String == "admin@example.com")
        #expect(try await client.request("GET", "/auth/me").status == 401)
        var forged = client
        forged.token = token + "x"
        #expect(try await forged.request("GET", "/auth/me").status == 401)

        // Refresh gives a new pair; logout ends the session, after which the token is refused.
        let refreshed = try await client.request("POST", "/auth/refresh", json: ["refreshToken": refresh])
        #expect(refreshed.status == 200)
        #expect(refreshed.json["token"] is String)
        #expect(try await client.request("POST", "/auth/refresh", json: ["refreshToken": "nonsense"]).status == 401)
        #expect(try await client.request("POST", "/auth/refresh", json: [String: Any]()).status == 400)
        var second = client
        second.token = try #require(refreshed.json["token"] as? String)
        #expect(try await second.request("POST", "/auth/logout").status == 200)
        #expect(try await second.request("GET", "/auth/me").status == 401)

        // An Admin creates users; others may not.
        let admin = try await client.login("admin@example.com", password)
        let created = try await admin.request(
            "POST", "/auth/users", json: ["email": "sam@example.com", "password": "correct horse battery", "roles": ["Sales"]])
        #expect(created.status == 201, "\(created.text)")
        let sales = try await client.login("sam@example.com", "correct horse battery")
        let refused = try await sales.request(
            "POST", "/auth/users", json: ["email": "eve@example.com", "password": "correct horse battery", "roles": ["Admin"]])
        #expect(refused.status == 403)

        // Throttling: after the free failures, 429 with Retry-After.
        var throttled: HTTPTestClient.Reply?
        for _ in 0..<8 {
            let reply = try await client.request(
                "POST", "/auth/login", json: ["email": "sam@example.com", "password": "not the password"])
            if reply.status == 429 {
                throttled = reply
                break
            }
            #expect(reply.status == 401)
        }
        let limited = try #require(throttled)
        #expect(Int(limited.headers["retry-after"] ?? "") ?? 0 >= 1)
        #expect((limited.json["error"] as? [String: Any])?["code"] as? String == "TOO_MANY_REQUESTS")

        #expect(await server.stop() == 0)

        // A second start keeps the secret and the Admin, and prints no password.
        let again = try await ServerProcess("crm-server", dataDirectory: data)
        #expect(!again.errors.contains("password:"))
        #expect(!again.errors.contains("ATOMO_JWT_SECRET is not set"))
        _ = try await HTTPTestClient(baseURL: again.baseURL).login("admin@example.com", password)
        #expect(await again.stop() == 0)
    }

    @Test("schema routes, health, metrics; production mode needs ATOMO_JWT_SECRET")
    func operationsRoutes() async throws {
        let data = try TestPaths.temporaryDirectory("ops")
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try await ServerProcess(
            "crm-server", dataDirectory: data,
            environment: [
                "ATOMO_ADMIN_EMAIL": "boss@example.com", "ATOMO_ADMIN_PASSWORD": "a long admin password", "LOG_LEVEL": "info",
            ])
        #expect(!server.errors.contains("password:"))
        let client = HTTPTestClient(baseURL: server.baseURL)
        _ = try await client.login("boss@example.com", "a long admin password")

        let meta = try await client.request("GET", "/meta/schema")
        #expect(meta.status == 200)
        #expect(meta.headers["content-type"]?.hasPrefix("application/json") == true)
        let served = try Schema(canonicalJSON: meta.body)
        #expect(served == (try CRMFixture.schema()))
        let ts = try await client.request("GET", "/schema.ts")
        #expect(ts.status == 200)
        #expect(ts.text == (try String(contentsOf: TestPaths.crmSchema, encoding: .utf8)))

        // GraphQL over GET for queries; GraphiQL for a browser, at /graphql and /playground.
        let admin = try await client.login("boss@example.com", "a long admin password")
        let viaGET = try await admin.request("GET", "/graphql?query=%7B__typename%7D", headers: ["Accept": "application/json"])
        #expect(viaGET.status == 200)
        #expect((viaGET.json["data"] as? [String: Any])?["__typename"] as? String == "Query")
        for path in ["/graphql", "/playground"] {
            let page = try await client.request("GET", path, headers: ["Accept": "text/html,application/xhtml+xml"])
            #expect(page.status == 200)
            #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(page.text.contains("GraphiQL"))
        }

        let health = try await client.request("GET", "/health")
        #expect(health.status == 200)
        #expect(health.json["status"] as? String == "ok")
        let checks = try #require(health.json["checks"] as? [String: Any])
        #expect((checks["database"] as? [String: Any])?["status"] as? String == "ok")
        #expect(checks["projectors"] != nil)

        let metrics = try await client.request("GET", "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.text.contains("# TYPE"))
        #expect(metrics.text.contains("/health"))
        #expect(metrics.text.contains("atomo_projection_lag_events"), "the read models' projection metrics")
        #expect(await server.stop() == 0)
        // Structured request logs: one line per request with method, path, status and duration.
        let logLine = server.errors.split(separator: "\n").first { $0.contains("path=/health") && $0.contains("request") }
        #expect(logLine?.contains("status=200") == true)
        #expect(logLine?.contains("method=GET") == true)
        #expect(logLine?.contains("duration_ms=") == true)

        // Production without a secret refuses to start, saying why.
        let result = try runProgram(
            TestPaths.executable("crm-server").path, ["--production", "--port", "0", "--data-dir", data.path],
            environment: ProcessInfo.processInfo.environment.filter { $0.key != "ATOMO_JWT_SECRET" })
        #expect(result.status != 0)
        #expect(result.errors.contains("ATOMO_JWT_SECRET"))
    }

    @Test("the content projectors run in the server's projection daemon: /health and /metrics read it, lag_seconds per projector")
    func projectionDaemonHealthAndMetrics() async throws {
        let data = try TestPaths.temporaryDirectory("daemon")
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try await ServerProcess(
            "crm-server", dataDirectory: data,
            environment: ["ATOMO_ADMIN_EMAIL": "boss@example.com", "ATOMO_ADMIN_PASSWORD": "a long admin password"])
        let admin = try await HTTPTestClient(baseURL: server.baseURL).login("boss@example.com", "a long admin password")
        let created = try await admin.graphQL(#"mutation { createCompany(input: { name: "Acme" }) { id } }"#)
        #expect(created["errors"] == nil, "\(created)")
        let entities = try CRMFixture.schema().entities.map(\.name)
        #expect(!entities.isEmpty)
        let contentProjectors = entities.map { "content.\($0)@v1" }

        // /health: the daemon's projectors, each live and caught up, and the read models at the head.
        let health = try await admin.request("GET", "/health")
        #expect(health.status == 200, "\(health.text)")
        let check = try #require((health.json["checks"] as? [String: Any])?["projectors"] as? [String: Any])
        #expect(check["status"] as? String == "ok")
        #expect((check["head"] as? Int ?? 0) > 0)
        let projectors = try #require(check["projectors"] as? [String: Any])
        for name in contentProjectors {
            let projector = projectors[name] as? [String: Any]
            #expect(projector?["state"] as? String == "live", "\(name): \(String(describing: projector))")
            #expect(projector?["lagEvents"] as? Int == 0, "\(name)")
            #expect(projector?["checkpoint"] as? Int == check["head"] as? Int, "\(name)")
        }

        // /metrics: per content projector, the daemon's figures, lag in seconds among them.
        let metrics = try await admin.request("GET", "/metrics")
        #expect(metrics.status == 200)
        let lines = metrics.text.split(separator: "\n").map(String.init)
        for name in contentProjectors {
            for metric in [
                "atomo_projection_checkpoint", "atomo_projection_head", "atomo_projection_lag_events",
                "atomo_projection_lag_seconds", "atomo_projection_error_count",
            ] {
                #expect(
                    lines.contains { $0.hasPrefix("\(metric){projector=\"\(name)\"}") }, "\(metric) for \(name)")
            }
            #expect(
                lines.contains { $0 == "atomo_projection_lag_seconds{projector=\"\(name)\"} 0.0" }, "\(name) is caught up")
            #expect(
                lines.contains { $0.hasPrefix("atomo_projection_state{projector=\"\(name)\",state=\"live\"} 1") },
                "\(name) is live")
        }
        #expect(await server.stop() == 0)
    }
}
