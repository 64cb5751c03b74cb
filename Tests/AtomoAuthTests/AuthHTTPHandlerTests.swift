import AtomoAuth
import AtomoSchema
import AtomoSQLite
import Foundation
import Testing

@Suite("AuthHTTPHandler and the bearer token parser")
struct AuthHTTPHandlerTests {
    static func body(_ response: AuthHTTPResponse) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(response.body))
    }

    static func post(_ path: String, _ json: String, token: String? = nil) -> AuthHTTPRequest {
        AuthHTTPRequest(
            method: "POST", path: path,
            headers: [("Content-Type", "application/json")] + (token.map { [("Authorization", "Bearer \($0)")] } ?? []),
            body: Array(json.utf8), clientAddress: "203.0.113.5")
    }

    @Test("bearer tokens: the scheme is case-insensitive, other schemes and empty tokens are refused")
    func bearer() {
        #expect(BearerToken.parse("Bearer abc.def") == "abc.def")
        #expect(BearerToken.parse("bearer   abc ") == "abc")
        #expect(BearerToken.parse("BEARER abc") == "abc")
        #expect(BearerToken.parse("Basic dXNlcg==") == nil)
        #expect(BearerToken.parse("Bearer") == nil)
        #expect(BearerToken.parse("Bearer ") == nil)
        #expect(BearerToken.parse("Bearer a b") == nil)
        #expect(BearerToken.parse("abc") == nil)
        #expect(BearerToken.parse("abc", schemeOptional: true) == "abc")
        #expect(BearerToken.parse("Bearer abc", schemeOptional: true) == "abc")
        #expect(BearerToken.parse("", schemeOptional: true) == nil)
        #expect(BearerToken.parse("Bearer", schemeOptional: true) == nil)
    }

    @Test("an internal failure answers 500 without its cause, naming the request the log names")
    func internalErrors() async throws {
        let fixture = try await AuthFixture.make()
        try await fixture.auth.register(email: "ada@example.com", password: goodPassword, roles: ["Sales"], as: .system)
        let handler = AuthHTTPHandler(authenticator: fixture.auth)
        fixture.database.close()  // the credentials table cannot be read any more
        var request = Self.post("/auth/login", #"{"email": "ada@example.com", "password": "\#(goodPassword)"}"#)
        request.requestID = "req-42"
        let response = await handler.handle(request)
        #expect(response.status == 500)
        let message = try Self.body(response)["error"]?["message"]?.stringValue ?? ""
        #expect(message == "internal server error (request req-42)")
    }

    @Test("login, me, refresh and logout answer JSON; the token stops working at logout")
    func session() async throws {
        let fixture = try await AuthFixture.make()
        try await fixture.auth.register(email: "ada@example.com", password: goodPassword, roles: ["Sales"], as: .system)
        let handler = AuthHTTPHandler(authenticator: fixture.auth)
        let login = await handler.handle(
            Self.post("/auth/login", #"{"email": "ada@example.com", "password": "\#(goodPassword)"}"#))
        #expect(login.status == 200)
        #expect(login.header("content-type") == "application/json; charset=utf-8")
        let tokens = try Self.body(login)
        let token = try #require(tokens["token"]?.stringValue)
        #expect(tokens["user"]?["roles"] == ["Sales"])
        #expect((tokens["expiresIn"]?.intValue ?? 0) > 0)

        let me = await handler.handle(
            AuthHTTPRequest(method: "GET", path: "/auth/me", headers: [("authorization", "Bearer \(token)")]))
        #expect(me.status == 200)
        #expect(try Self.body(me)["user"]?["email"] == "ada@example.com")

        let refreshed = await handler.handle(
            Self.post("/auth/refresh", #"{"refreshToken": "\#(tokens["refreshToken"]?.stringValue ?? "")"}"#))
        #expect(refreshed.status == 200)
        let newToken = try #require(try Self.body(refreshed)["token"]?.stringValue)

        let logout = await handler.handle(Self.post("/auth/logout", "", token: newToken))
        #expect(logout.status == 200)
        #expect(try Self.body(logout) == ["ok": true])
        let after = await handler.handle(
            AuthHTTPRequest(method: "GET", path: "/auth/me", headers: [("Authorization", "Bearer \(newToken)")]))
        #expect(after.status == 401)
        #expect(after.header("www-authenticate") == "Bearer")
        #expect(try Self.body(after)["error"]?["code"] == "UNAUTHENTICATED")
    }

    @Test("creating users needs manageUsers; bad bodies, weak passwords, methods and sizes get their status")
    func users() async throws {
        let fixture = try await AuthFixture.make()
        try await fixture.auth.register(
            email: "root@example.com", password: goodPassword, roles: ["Admin"], as: .system)
        try await fixture.auth.register(
            email: "vic@example.com", password: goodPassword, roles: ["Viewer"], as: .system)
        let handler = AuthHTTPHandler(authenticator: fixture.auth)
        func token(_ email: String) async throws -> String {
            try await fixture.auth.login(email: email, password: goodPassword).accessToken
        }
        let admin = try await token("root@example.com")
        let viewer = try await token("vic@example.com")
        let newUser = #"{"email": "bo@example.com", "password": "\#(goodPassword)", "roles": ["Sales"]}"#

        let forbidden = await handler.handle(Self.post("/auth/users", newUser, token: viewer))
        #expect(forbidden.status == 403)
        #expect(try Self.body(forbidden)["error"]?["code"] == "FORBIDDEN")
        #expect(try await fixture.credentials.credential(forEmail: EmailAddress("bo@example.com")) == nil)

        let anonymous = await handler.handle(Self.post("/auth/users", newUser))
        #expect(anonymous.status == 401)

        let created = await handler.handle(Self.post("/auth/users", newUser, token: admin))
        #expect(created.status == 201)
        #expect(try Self.body(created)["user"]?["roles"] == ["Sales"])

        let weak = await handler.handle(
            Self.post("/auth/users", #"{"email": "cy@example.com", "password": "short", "roles": []}"#, token: admin))
        #expect(weak.status == 400)
        #expect(try Self.body(weak)["error"]?["fields"] == [["field": "password"]])

        let taken = await handler.handle(Self.post("/auth/users", newUser, token: admin))
        #expect(taken.status == 409)

        let malformed = await handler.handle(Self.post("/auth/login", #"{"email": 7}"#))
        #expect(malformed.status == 400)
        #expect(try Self.body(malformed)["error"]?["code"] == "BAD_REQUEST")

        let huge = await handler.handle(
            Self.post("/auth/login", #"{"email": ""# + String(repeating: "a", count: 70_000) + #"", "password": "x"}"#))
        #expect(huge.status == 413)

        let wrongMethod = await handler.handle(AuthHTTPRequest(method: "GET", path: "/auth/login"))
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("allow") == "POST")

        let unknown = await handler.handle(AuthHTTPRequest(method: "GET", path: "/auth/nothing"))
        #expect(unknown.status == 404)
    }

    @Test("/auth/me answers every refused token with the same 401 message, whatever the cause")
    func uniformTokenRefusal() async throws {
        let fixture = try await AuthFixture.make()
        try await fixture.auth.register(email: "ada@example.com", password: goodPassword, roles: ["Sales"], as: .system)
        let handler = AuthHTTPHandler(authenticator: fixture.auth)
        func me(_ authorization: String?) async -> AuthHTTPResponse {
            await handler.handle(
                AuthHTTPRequest(
                    method: "GET", path: "/auth/me", headers: authorization.map { [("Authorization", $0)] } ?? []))
        }
        func token() async throws -> String {
            let login = await handler.handle(
                Self.post("/auth/login", #"{"email": "ada@example.com", "password": "\#(goodPassword)"}"#))
            return try #require(try Self.body(login)["token"]?.stringValue)
        }
        let valid = try await token()
        #expect(await me("Bearer \(valid)").status == 200)
        let other = try await AuthFixture.make()
        try await other.auth.register(email: "ada@example.com", password: goodPassword, roles: ["Sales"], as: .system)
        let forged = try await other.auth.login(email: "ada@example.com", password: goodPassword).accessToken
        let loggedOut = try await token()
        _ = await handler.handle(Self.post("/auth/logout", "", token: loggedOut))
        var refusals = [
            "missing": await me(nil), "not bearer": await me("Basic abc"), "garbage": await me("Bearer abc.def.ghi"),
            "forged": await me("Bearer \(forged)"), "logged out": await me("Bearer \(loggedOut)"),
        ]
        fixture.clock.advance(.seconds(24 * 3600))
        refusals["expired"] = await me("Bearer \(valid)")
        for (cause, response) in refusals {
            #expect(response.status == 401, "\(cause)")
            #expect(response.header("www-authenticate") == "Bearer", "\(cause)")
            let error = try Self.body(response)["error"]
            #expect(error?["code"] == "UNAUTHENTICATED", "\(cause)")
            #expect(error?["message"]?.stringValue == AuthHTTPHandler.tokenRefusedMessage, "\(cause)")
        }
    }
}
