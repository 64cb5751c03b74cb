import Foundation
import Testing

/// Issue 18's findings, reproduced against `crm-server` as an attacker would: each test failed on the
/// server before the fix and passes after it.
@Suite("Secure by default", .serialized)
struct SecurityTests {
    static let adminEmail = "admin@example.com"
    static let adminPassword = "correct horse battery staple"
    static let userPassword = "a long enough passphrase"

    static func server(_ label: String, environment: [String: String] = [:]) async throws -> (ServerProcess, URL) {
        let data = try TestPaths.temporaryDirectory(label)
        var env = ["ATOMO_ADMIN_EMAIL": adminEmail, "ATOMO_ADMIN_PASSWORD": adminPassword]
        for (key, value) in environment { env[key] = value }
        return (try await ServerProcess("crm-server", dataDirectory: data, environment: env), data)
    }

    static func createUser(_ admin: HTTPTestClient, _ email: String, roles: [String]) async throws -> String {
        let reply = try await admin.request(
            "POST", "/auth/users", json: ["email": email, "password": userPassword, "roles": roles])
        guard reply.status == 201 || reply.status == 200, let user = reply.json["user"] as? [String: Any],
            let id = user["id"] as? String ?? reply.json["id"] as? String
        else { throw TestFailure("creating \(email) answered \(reply.status) \(reply.text)") }
        return id
    }

    static func errorCode(_ response: [String: Any]) -> String? {
        ((response["errors"] as? [[String: Any]])?.first?["extensions"] as? [String: Any])?["code"] as? String
    }

    // MARK: 1. Anonymous writes

    @Test("anonymous list, create, update, delete and restore are refused on every entity of the CRM schema")
    func anonymousIsDenied() async throws {
        let (server, data) = try await Self.server("anonymous")
        defer { try? FileManager.default.removeItem(at: data) }
        defer { Task { _ = await server.stop() } }
        let admin = try await HTTPTestClient(baseURL: server.baseURL).login(Self.adminEmail, Self.adminPassword)
        let company = try await admin.graphQL(#"mutation { createCompany(input: {name: "Acme"}) { id } }"#)
        let companyID = try #require(((company["data"] as? [String: Any])?["createCompany"] as? [String: Any])?["id"] as? String)
        let contact = try await admin.graphQL(#"mutation { createContact(input: {name: "Ada"}) { id } }"#)
        let contactID = try #require(((contact["data"] as? [String: Any])?["createContact"] as? [String: Any])?["id"] as? String)
        let deal = try await admin.graphQL(#"mutation { createDeal(input: {title: "Big", amount: 5}) { id } }"#)
        let dealID = try #require(((deal["data"] as? [String: Any])?["createDeal"] as? [String: Any])?["id"] as? String)

        let anonymous = HTTPTestClient(baseURL: server.baseURL)
        let cases: [(entity: String, plural: String, id: String, create: String, update: String)] = [
            ("Company", "companies", companyID, #"{name: "Evil"}"#, #"{name: "Evil"}"#),
            ("Contact", "contacts", contactID, #"{name: "Evil"}"#, #"{name: "Evil"}"#),
            ("Deal", "deals", dealID, #"{title: "Evil", amount: 1}"#, #"{title: "Evil"}"#),
        ]
        for entity in cases {
            let operations = [
                "{ \(entity.plural) { totalCount nodes { id } } }",
                "mutation { create\(entity.entity)(input: \(entity.create)) { id } }",
                "mutation { update\(entity.entity)(id: \"\(entity.id)\", input: \(entity.update)) { id } }",
                "mutation { delete\(entity.entity)(id: \"\(entity.id)\") { id } }",
                "mutation { restore\(entity.entity)(id: \"\(entity.id)\") { id } }",
            ]
            for operation in operations {
                let reply = try await anonymous.request("POST", "/graphql", json: ["query": operation])
                let body = reply.json
                #expect(
                    reply.status == 401 || Self.errorCode(body) == "UNAUTHENTICATED",
                    "\(operation) answered \(reply.status) \(reply.text)")
                #expect(body["data"] == nil || body["data"] is NSNull, "\(operation): \(reply.text)")
            }
        }
        // Nothing was written: the records are as the Admin made them, with the Admin as the only actor.
        let after = try await admin.graphQL("{ companies { totalCount } contacts { totalCount } deals { totalCount } }")
        let counts = try #require(after["data"] as? [String: Any])
        for plural in ["companies", "contacts", "deals"] {
            #expect((counts[plural] as? [String: Any])?["totalCount"] as? Int == 1, "\(plural)")
        }
    }

    // MARK: 2. Live connections

    /// A user logged in with a websocket subscribed to contact changes, proven live by one event.
    struct LiveUser {
        let client: HTTPTestClient
        let id: String
        let socket: GraphQLSocket
    }

    static func liveUser(
        _ server: ServerProcess, admin: HTTPTestClient, email: String, roles: [String]
    ) async throws -> LiveUser {
        let id = try await createUser(admin, email, roles: roles)
        let client = try await HTTPTestClient(baseURL: server.baseURL).login(email, userPassword)
        let socket = GraphQLSocket(baseURL: server.baseURL)
        #expect(await socket.initialise(token: client.token), "\(email): no connection_ack")
        socket.send([
            "id": "live", "type": "subscribe",
            "payload": ["query": "subscription { contactsChanged { kind record { name } } }"],
        ])
        try await Task.sleep(for: .milliseconds(300))
        _ = try await admin.graphQL(#"mutation { createContact(input: {name: "Before"}) { id } }"#)
        let first = await socket.waitFor { ($0["id"] as? String) == "live" && ($0["type"] as? String) == "next" }
        #expect(first != nil, "\(email) received no event while its session was valid")
        return LiveUser(client: client, id: id, socket: socket)
    }

    /// After `change`, the socket closes within `within`, receives no further event, and runs nothing.
    static func expectCut(
        _ user: LiveUser, admin: HTTPTestClient, within: Duration, code: Int, _ label: String,
        change: () async throws -> Void
    ) async throws {
        try await change()
        let changed = ContinuousClock.now
        let closed = await user.socket.waitForClose(timeout: within + .seconds(5))
        #expect(closed != nil, "\(label): the socket stayed open")
        if let closed {
            #expect(closed.at - changed < within, "\(label): closed \(closed.at - changed) after the change")
            #expect(closed.code == code, "\(label): close code \(String(describing: closed.code))")
        }
        let before = user.socket.messages.count
        _ = try await admin.graphQL(#"mutation { createContact(input: {name: "After"}) { id } }"#)
        user.socket.send(["id": "late", "type": "subscribe", "payload": ["query": "{ contacts { totalCount } }"]])
        try await Task.sleep(for: .milliseconds(500))
        #expect(user.socket.messages.count == before, "\(label): the socket delivered after the change")
    }

    @Test("after logout, disable and demotion an open websocket is closed within 1 s and delivers nothing more")
    func socketsFollowTheSession() async throws {
        let (server, data) = try await Self.server("sockets")
        defer { try? FileManager.default.removeItem(at: data) }
        defer { Task { _ = await server.stop() } }
        let admin = try await HTTPTestClient(baseURL: server.baseURL).login(Self.adminEmail, Self.adminPassword)

        let leaving = try await Self.liveUser(server, admin: admin, email: "leaving@example.com", roles: ["Sales"])
        try await Self.expectCut(leaving, admin: admin, within: .seconds(1), code: 4403, "logout") {
            let reply = try await leaving.client.request("POST", "/auth/logout", json: [:])
            #expect(reply.status < 300, "logout answered \(reply.status) \(reply.text)")
        }

        let disabled = try await Self.liveUser(server, admin: admin, email: "disabled@example.com", roles: ["Sales"])
        try await Self.expectCut(disabled, admin: admin, within: .seconds(1), code: 4403, "disable") {
            let reply = try await admin.graphQL(
                "mutation($id: ID!) { updateUser(id: $id, input: {disabled: true}) { disabled } }", ["id": disabled.id])
            #expect(Self.errorCode(reply) == nil, "\(reply)")
        }

        let demoted = try await Self.liveUser(server, admin: admin, email: "demoted@example.com", roles: ["Manager"])
        try await Self.expectCut(demoted, admin: admin, within: .seconds(1), code: 4403, "demotion") {
            let reply = try await admin.graphQL(
                "mutation($id: ID!) { updateUser(id: $id, input: {roles: [Viewer]}) { roles } }", ["id": demoted.id])
            #expect(Self.errorCode(reply) == nil, "\(reply)")
        }
    }

    @Test("at the token's expiry an open websocket is closed within the clock-skew allowance")
    func socketsExpire() async throws {
        // Tokens of 3 s with 1 s of leeway: HTTP refuses the token 4 s after login, and so does the socket.
        let (server, data) = try await Self.server(
            "expiry", environment: ["ATOMO_ACCESS_TOKEN_TTL": "3", "ATOMO_TOKEN_LEEWAY": "1"])
        defer { try? FileManager.default.removeItem(at: data) }
        defer { Task { _ = await server.stop() } }
        let admin = try await HTTPTestClient(baseURL: server.baseURL).login(Self.adminEmail, Self.adminPassword)
        _ = try await Self.createUser(admin, "expiring@example.com", roles: ["Sales"])
        let loggedIn = ContinuousClock.now
        let reply = try await HTTPTestClient(baseURL: server.baseURL).request(
            "POST", "/auth/login", json: ["email": "expiring@example.com", "password": Self.userPassword])
        let token = try #require(reply.json["token"] as? String)
        let expiresIn = try #require(reply.json["expiresIn"] as? Int)
        let socket = GraphQLSocket(baseURL: server.baseURL)
        #expect(await socket.initialise(token: token))
        socket.send([
            "id": "live", "type": "subscribe", "payload": ["query": "subscription { contactsChanged { kind } }"],
        ])
        let closed = try #require(await socket.waitForClose(timeout: .seconds(15)))
        #expect(closed.code == 4401)
        // exp is whole seconds, so the token dies between 3 and 4 s after login; plus 1 s of leeway.
        let lifetime = closed.at - loggedIn
        #expect(lifetime >= .seconds(expiresIn), "closed \(lifetime) after login")
        #expect(lifetime < .seconds(expiresIn + 1 + 2), "closed \(lifetime) after login")
        _ = try await admin.graphQL(#"mutation { createContact(input: {name: "Late"}) { id } }"#)
        try await Task.sleep(for: .milliseconds(300))
        #expect(!socket.messages.contains { ($0["type"] as? String) == "next" })
    }

    // MARK: 3. Timeouts and limits

    @Test("a slowloris client is cut off after the header timeout, and 10,000 idle sockets do not stop a normal client")
    func hostileConnections() async throws {
        let limit = RawSocket.raiseOpenFileLimit()
        try #require(limit >= 10_500, "the open-file limit is \(limit); this test needs 10,500")
        let (server, data) = try await Self.server("sockets-flood", environment: ["ATOMO_HTTP_HEADER_TIMEOUT": "2"])
        defer { try? FileManager.default.removeItem(at: data) }
        defer { Task { _ = await server.stop() } }

        // Slowloris: a request head that never ends, one header byte a second.
        let slow = try RawSocket(port: server.port)
        let start = ContinuousClock.now
        slow.send("GET /health HTTP/1.1\r\nHost: x\r\n")
        var cut = false
        for index in 0..<15 {
            if !slow.send("X-\(index): y\r\n") {
                cut = true
                break
            }
            let (_, closed) = slow.readUntilClosed(timeout: .seconds(1))
            if closed {
                cut = true
                break
            }
        }
        let held = ContinuousClock.now - start
        #expect(cut, "the slow client was never disconnected")
        #expect(held < .seconds(6), "the slow client held its connection for \(held)")

        // A malformed request line is answered 400, not dropped without a word.
        let garbage = try RawSocket(port: server.port)
        garbage.send("THIS IS NOT HTTP\r\n\r\n")
        let answer = garbage.readUntilClosed(timeout: .seconds(5))
        #expect(answer.bytes.hasPrefix("HTTP/1.1 400"), "answered: \(answer.bytes.prefix(80))")

        // 10,000 idle sockets from one address (127.0.0.2), held open.
        var idle: [RawSocket] = []
        idle.reserveCapacity(10_000)
        for _ in 0..<10_000 {
            guard let socket = try? RawSocket(port: server.port, from: "127.0.0.2") else { break }
            idle.append(socket)
        }
        #expect(idle.count == 10_000, "opened \(idle.count) sockets")
        // A normal client (127.0.0.1) is served at once.
        let normal = HTTPTestClient(baseURL: server.baseURL)
        let began = ContinuousClock.now
        let health = try await normal.request("GET", "/health")
        #expect(health.status == 200)
        #expect(ContinuousClock.now - began < .seconds(5))
        let login = try await normal.request(
            "POST", "/auth/login", json: ["email": Self.adminEmail, "password": Self.adminPassword])
        #expect(login.status == 200)
        idle.removeAll()
    }

    @Test("a body that trickles is cut off after the body timeout, an idle keep-alive connection after the idle timeout, and connections over the total cap are refused")
    func bodyIdleAndTotalLimits() async throws {
        let (server, data) = try await Self.server(
            "timeouts",
            environment: [
                "ATOMO_HTTP_BODY_TIMEOUT": "2", "ATOMO_HTTP_IDLE_TIMEOUT": "2", "ATOMO_HTTP_MAX_CONNECTIONS": "8",
            ])
        defer { try? FileManager.default.removeItem(at: data) }
        defer { Task { _ = await server.stop() } }

        // Headers promise 100 bytes; 10 arrive, then nothing: 408 and closed at the body timeout.
        let trickle = try RawSocket(port: server.port)
        let started = ContinuousClock.now
        trickle.send("POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"email\":")
        let cut = trickle.readUntilClosed(timeout: .seconds(10))
        #expect(cut.closed)
        #expect(cut.bytes.hasPrefix("HTTP/1.1 408"), "answered: \(cut.bytes.prefix(80))")
        #expect(ContinuousClock.now - started >= .seconds(2) && ContinuousClock.now - started < .seconds(6))

        // A keep-alive connection answered once, then silent: closed at the idle timeout.
        let idle = try RawSocket(port: server.port)
        idle.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        let answered = ContinuousClock.now
        let quiet = idle.readUntilClosed(timeout: .seconds(10))
        #expect(quiet.bytes.hasPrefix("HTTP/1.1 200"))
        #expect(quiet.closed)
        #expect(ContinuousClock.now - answered >= .seconds(2) && ContinuousClock.now - answered < .seconds(6))

        // The total cap, across addresses: 8 held open (from four loopback addresses), the ninth refused 503.
        var held: [RawSocket] = []
        for index in 0..<8 { held.append(try RawSocket(port: server.port, from: "127.0.0.\(10 + index % 4)")) }
        try await Task.sleep(for: .milliseconds(200))
        let ninth = try RawSocket(port: server.port, from: "127.0.0.20")
        let refused = ninth.readUntilClosed(timeout: .seconds(5))
        #expect(refused.closed)
        #expect(refused.bytes.hasPrefix("HTTP/1.1 503"), "answered: \(refused.bytes.prefix(80))")
        held.removeAll()
        // Once they are gone, a client is served again.
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await HTTPTestClient(baseURL: server.baseURL).request("GET", "/health").status == 200)
    }

    @Test("oversized bodies are 413 on every route, wrong methods 405 with Allow, and every answer names its request")
    func limitsAndMethods() async throws {
        let (server, data) = try await Self.server("limits")
        defer { try? FileManager.default.removeItem(at: data) }
        defer { Task { _ = await server.stop() } }
        let client = HTTPTestClient(baseURL: server.baseURL)
        // A declared length over the limit: refused before a byte of the body is read, on any route.
        for (method, path) in [("POST", "/graphql"), ("POST", "/auth/login"), ("GET", "/health"), ("POST", "/nowhere")] {
            let socket = try RawSocket(port: server.port)
            socket.send(
                "\(method) \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(2 << 20)\r\n\r\n")
            let answer = socket.readUntilClosed(timeout: .seconds(10))
            #expect(answer.bytes.hasPrefix("HTTP/1.1 413"), "\(method) \(path): \(answer.bytes.prefix(120))")
        }
        // A chunked body (no length declared) that grows past the GraphQL limit: 413, not 500.
        let chunked = try RawSocket(port: server.port)
        chunked.send("POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = String(repeating: " ", count: 64 * 1024)
        for _ in 0..<24 where chunked.send(String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n") {}
        chunked.send("0\r\n\r\n")
        let chunkedAnswer = chunked.readUntilClosed(timeout: .seconds(10))
        #expect(chunkedAnswer.bytes.hasPrefix("HTTP/1.1 413"), "chunked: \(chunkedAnswer.bytes.prefix(120))")
        for (method, path, allow) in [("PUT", "/graphql", "GET, POST"), ("DELETE", "/auth/login", "POST"), ("POST", "/health", "GET")] {
            let reply = try await client.request(method, path)
            #expect(reply.status == 405, "\(method) \(path): \(reply.status)")
            #expect(reply.headers["allow"] == allow, "\(method) \(path): Allow \(reply.headers["allow"] ?? "none")")
        }
        let health = try await client.request("GET", "/health")
        #expect((health.headers["x-request-id"] ?? "").count >= 8)

        // A filter of 999 `or` terms is the client's error, not an internal one.
        let admin = try await client.login(Self.adminEmail, Self.adminPassword)
        let terms = (0..<999).map { "{name: {eq: \"n\($0)\"}}" }.joined(separator: ", ")
        let response = try await admin.graphQL("{ contacts(where: {or: [\(terms)]}) { totalCount } }")
        #expect(Self.errorCode(response) == "BAD_USER_INPUT", "\(String(describing: response["errors"]).prefix(300))")

        // The schema's status names its file, not where the server keeps it.
        let status = try await client.request("GET", "/meta/schema/status")
        #expect(status.json["path"] as? String == "schema.ts")
        #expect(!status.text.contains(TestPaths.crmSchema.deletingLastPathComponent().path))
    }

    @Test("a Viewer cannot tell that a field hidden from it changed")
    func hiddenChangesStayHidden() async throws {
        let (server, data) = try await Self.server("hidden")
        defer { try? FileManager.default.removeItem(at: data) }
        defer { Task { _ = await server.stop() } }
        let admin = try await HTTPTestClient(baseURL: server.baseURL).login(Self.adminEmail, Self.adminPassword)
        let created = try await admin.graphQL(#"mutation { createContact(input: {name: "Ada", email: "ada@x.io"}) { id } }"#)
        let id = try #require(((created["data"] as? [String: Any])?["createContact"] as? [String: Any])?["id"] as? String)
        _ = try await Self.createUser(admin, "viewer@example.com", roles: ["Viewer"])
        let viewer = try await HTTPTestClient(baseURL: server.baseURL).login("viewer@example.com", Self.userPassword)
        let socket = GraphQLSocket(baseURL: server.baseURL)
        #expect(await socket.initialise(token: viewer.token))
        socket.send([
            "id": "v", "type": "subscribe",
            "payload": ["query": "subscription { contactsChanged { kind changedFields record { name } } }"],
        ])
        try await Task.sleep(for: .milliseconds(300))
        _ = try await admin.graphQL(
            "mutation($id: ID!) { updateContact(id: $id, input: {email: \"ada@y.io\"}) { id } }", ["id": id])
        _ = try await admin.graphQL(
            "mutation($id: ID!) { updateContact(id: $id, input: {name: \"Ada L.\"}) { id } }", ["id": id])
        let visible = await socket.waitFor { ($0["type"] as? String) == "next" }
        let events = socket.messages.filter { ($0["type"] as? String) == "next" }
        #expect(visible != nil)
        #expect(events.count == 1, "the Viewer saw \(events.count) events: \(events)")
        let change = ((events.first?["payload"] as? [String: Any])?["data"] as? [String: Any])?["contactsChanged"] as? [String: Any]
        #expect(change?["changedFields"] as? [String] == ["name"])
    }

    // MARK: 5. Health that means it

    @Test("a database file damaged in the middle makes /health fail, and the cause is logged")
    func corruptedDatabase() async throws {
        let (first, data) = try await Self.server("corrupt")
        defer { try? FileManager.default.removeItem(at: data) }
        let admin = try await HTTPTestClient(baseURL: first.baseURL).login(Self.adminEmail, Self.adminPassword)
        // Enough records that the middle of the file is record pages, not the schema's.
        for batch in 0..<40 {
            let creates = (0..<50).map { "c\($0): createContact(input: {name: \"Person \(batch)-\($0) with a longer name to fill pages\"}) { id }" }
            let reply = try await admin.graphQL("mutation { \(creates.joined(separator: " ")) }")
            #expect(Self.errorCode(reply) == nil)
        }
        #expect(await first.stop() == 0)
        let file = data.appendingPathComponent("events.sqlite")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)
        try #require(size > 512 * 1024, "the database is only \(size) bytes")
        let handle = try FileHandle(forWritingTo: file)
        try handle.seek(toOffset: UInt64(size / 2 / 4096 * 4096))
        var generator = SystemRandomNumberGenerator()
        try handle.write(contentsOf: Data((0..<(64 * 1024)).map { _ in UInt8.random(in: 0...255, using: &generator) }))
        try handle.close()

        let second = try await ServerProcess(
            "crm-server", dataDirectory: data,
            environment: ["ATOMO_ADMIN_EMAIL": Self.adminEmail, "ATOMO_ADMIN_PASSWORD": Self.adminPassword])
        defer { Task { _ = await second.stop() } }
        let health = try await HTTPTestClient(baseURL: second.baseURL).request("GET", "/health")
        #expect(health.status == 503, "\(health.text.prefix(400))")
        #expect(health.json["status"] as? String == "fail")
        let deadline = ContinuousClock.now + .seconds(10)
        while !second.errors.contains("quick_check") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(second.errors.contains("quick_check"), "nothing logged:\n\(second.errors.suffix(2000))")
    }

    @Test("an empty (0-byte) events.sqlite is refused, not treated as a new install")
    func emptyDatabaseFile() async throws {
        let data = try TestPaths.temporaryDirectory("empty-file")
        defer { try? FileManager.default.removeItem(at: data) }
        #expect(FileManager.default.createFile(atPath: data.appendingPathComponent("events.sqlite").path, contents: Data()))
        await #expect {
            _ = try await ServerProcess(
                "crm-server", dataDirectory: data,
                environment: ["ATOMO_ADMIN_EMAIL": Self.adminEmail, "ATOMO_ADMIN_PASSWORD": Self.adminPassword],
                timeout: .seconds(30))
        } throws: { error in
            "\(error)".contains("empty (0-byte)")
        }
        let size = try FileManager.default.attributesOfItem(atPath: data.appendingPathComponent("events.sqlite").path)[.size] as? Int
        #expect(size == 0)
    }
}
