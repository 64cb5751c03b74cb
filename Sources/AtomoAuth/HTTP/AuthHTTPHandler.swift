public import Foundation
public import Logging

/// The `/auth/*` routes, transport-neutral: the host's web framework hands in method, path,
/// headers, body and the client's address, and sends back status, headers and body. The reference
/// server mounts it at `/auth`; any host can do the same without copying the routes.
///
/// | route | body | answer |
/// |---|---|---|
/// | `POST /auth/login` | ``LoginBody`` | 200 ``TokenBody`` |
/// | `POST /auth/refresh` | ``RefreshBody`` | 200 ``TokenBody`` (the refresh token rotates) |
/// | `POST /auth/logout` | — (bearer token) | 200 `{"ok": true}` |
/// | `GET /auth/me` | — (bearer token) | 200 ``MeBody`` |
/// | `POST /auth/users` | ``CreateUserBody`` (bearer token with `manageUsers`) | 201 `{"user": …}` |
///
/// Every answer is JSON; errors are `{"error": {"code", "message"}}` with one mapping from
/// ``AuthenticationError`` to status: a malformed body 400 `BAD_REQUEST`, a body over
/// ``maximumBodyBytes`` 413 `PAYLOAD_TOO_LARGE`, bad credentials or a bad token 401
/// `UNAUTHENTICATED` (with `WWW-Authenticate: Bearer`; a missing, malformed, forged, expired or
/// revoked bearer token gets one message, ``tokenRefusedMessage``, so that a caller cannot probe
/// which check failed — the cause is logged at `debug` instead), a missing capability 403
/// `FORBIDDEN`, a taken email or a change that would leave no administrator 409 `CONFLICT`, a weak
/// password 400 `BAD_REQUEST` naming the field, throttling 429 `TOO_MANY_REQUESTS` with
/// `Retry-After`, an unknown route 404, a wrong method 405 with `Allow`.
///
/// ```swift
/// let handler = AuthHTTPHandler(authenticator: authenticator)
/// let response = await handler.handle(
///     AuthHTTPRequest(method: "POST", path: "/auth/login", body: Array(#"{"email":"…","password":"…"}"#.utf8)))
/// ```
public struct AuthHTTPHandler: Sendable {
    /// The authenticator behind the routes.
    public let authenticator: Authenticator
    /// The path the routes live under (`/auth`).
    public let prefix: String
    /// The largest body accepted; larger ones are 413.
    public let maximumBodyBytes: Int
    /// Where refused bearer tokens are logged with their cause (at `debug`): the client is told only
    /// ``tokenRefusedMessage``.
    public let logger: Logger

    /// The one message of a 401 for a bearer token, whatever was wrong with it.
    public static let tokenRefusedMessage = "the token is missing, invalid or expired"

    /// Creates the handler for routes under `prefix`.
    public init(
        authenticator: Authenticator, prefix: String = "/auth", maximumBodyBytes: Int = 64 * 1024,
        logger: Logger = Logger(label: "atomo.auth")
    ) {
        self.authenticator = authenticator
        self.prefix = prefix
        self.maximumBodyBytes = maximumBodyBytes
        self.logger = logger
    }

    /// The route paths below the prefix and the methods each takes.
    static let routes: [String: String] = [
        "/login": "POST", "/refresh": "POST", "/logout": "POST", "/me": "GET",
        "/users": "POST",
    ]

    /// `POST /auth/login`'s body.
    public struct LoginBody: Codable, Sendable {
        /// The email address.
        public var email: String
        /// The password.
        public var password: String
    }

    /// `POST /auth/refresh`'s body.
    public struct RefreshBody: Codable, Sendable {
        /// The refresh token from the last login or refresh.
        public var refreshToken: String
    }

    /// `POST /auth/users`'s body.
    public struct CreateUserBody: Codable, Sendable {
        /// The new user's email address.
        public var email: String
        /// The new user's password (the password policy applies).
        public var password: String
        /// The new user's roles.
        public var roles: [String]
        /// The new user's tenant, if any.
        public var tenant: String?
    }

    /// A user as the routes show it.
    public struct UserBody: Codable, Sendable, Equatable {
        /// The user's id.
        public var id: String
        /// The email address.
        public var email: String
        /// The roles.
        public var roles: [String]
    }

    /// What login and refresh answer.
    public struct TokenBody: Codable, Sendable {
        /// The access token (a JWT), for `Authorization: Bearer …`.
        public var token: String
        /// The single-use refresh token.
        public var refreshToken: String
        /// Seconds until the access token expires.
        public var expiresIn: Int
        /// The user.
        public var user: UserBody
    }

    /// What `GET /auth/me` answers.
    public struct MeBody: Codable, Sendable {
        /// The user.
        public var user: UserBody
        /// When the presented access token expires (ISO 8601).
        public var expiresAt: String
    }

    /// Handles one request; any path not under ``prefix`` is 404.
    public func handle(_ request: AuthHTTPRequest) async -> AuthHTTPResponse {
        guard request.path.hasPrefix(prefix) else { return Self.error(404, "NOT_FOUND", "no such route") }
        let route = String(request.path.dropFirst(prefix.count))
        guard let method = Self.routes[route] else { return Self.error(404, "NOT_FOUND", "no such route") }
        guard request.method.uppercased() == method else {
            return Self.error(405, "METHOD_NOT_ALLOWED", "use \(method)", headers: [("Allow", method)])
        }
        do {
            switch route {
            case "/login":
                let body = try decode(LoginBody.self, request, expected: #"{"email": string, "password": string}"#)
                let result = try await authenticator.login(
                    email: body.email, password: body.password, clientAddress: request.clientAddress)
                return Self.json(200, Self.tokenBody(result))
            case "/refresh":
                let body = try decode(RefreshBody.self, request, expected: #"{"refreshToken": string}"#)
                let result = try await authenticator.refresh(body.refreshToken, clientAddress: request.clientAddress)
                return Self.json(200, Self.tokenBody(result))
            case "/logout":
                let user = try await authenticate(request)
                _ = try await authenticator.logout(sessionID: user.claims.sessionID, actor: user.userID)
                return Self.json(200, ["ok": true])
            case "/me":
                let user = try await authenticate(request)
                let stored = try await authenticator.user(id: user.userID)
                return Self.json(
                    200,
                    MeBody(
                        user: UserBody(id: user.userID, email: stored?.email ?? "", roles: user.claims.roles),
                        expiresAt: user.claims.expiresAt.formatted(.iso8601)))
            default:
                let admin = try await authenticate(request)
                let body = try decode(
                    CreateUserBody.self, request,
                    expected: #"{"email": string, "password": string, "roles": [string], "tenant"?: string}"#)
                let user = try await authenticator.register(
                    email: body.email, password: body.password, roles: body.roles, tenant: body.tenant,
                    as: admin.principal)
                return Self.json(201, ["user": UserBody(id: user.id, email: user.email, roles: user.roles)])
            }
        } catch {
            let response = Self.failure(error)
            guard response.status == 500 else { return response }
            // The cause never reaches the client: it goes to the log, under the request's id.
            logger.error(
                "internal error in an auth route",
                metadata: [
                    "path": "\(request.path)", "error": "\(error)", "requestId": "\(request.requestID ?? "none")",
                ])
            guard let requestID = request.requestID else { return response }
            return Self.error(500, "INTERNAL", "internal server error (request \(requestID))")
        }
    }

    // MARK: Requests

    private struct MissingToken: Error {}

    private struct BadBody: Error {
        let status: Int
        let code: String
        let message: String
    }

    private func authenticate(_ request: AuthHTTPRequest) async throws -> AuthenticatedUser {
        guard let header = request.header("authorization"), let token = BearerToken.parse(header) else {
            logger.debug("bearer token refused", metadata: ["path": "\(request.path)", "cause": "missing"])
            throw MissingToken()
        }
        do {
            return try await authenticator.authenticate(token)
        } catch let error as AuthenticationError {
            logger.debug("bearer token refused", metadata: ["path": "\(request.path)", "cause": "\(error)"])
            throw error
        }
    }

    private func decode<Body: Decodable>(_ type: Body.Type, _ request: AuthHTTPRequest, expected: String) throws -> Body
    {
        guard request.body.count <= maximumBodyBytes else {
            throw BadBody(
                status: 413, code: "PAYLOAD_TOO_LARGE", message: "the body is larger than \(maximumBodyBytes) bytes")
        }
        do {
            return try JSONDecoder().decode(Body.self, from: Data(request.body))
        } catch {
            throw BadBody(status: 400, code: "BAD_REQUEST", message: "expected \(expected)")
        }
    }

    // MARK: Responses

    static func tokenBody(_ result: LoginResult) -> TokenBody {
        TokenBody(
            token: result.accessToken, refreshToken: result.refreshToken,
            expiresIn: max(0, Int(result.accessClaims.expiresAt.timeIntervalSinceNow.rounded())),
            user: UserBody(id: result.user.id, email: result.user.email, roles: result.user.roles))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func json(
        _ status: Int, _ body: some Encodable, headers: [(name: String, value: String)] = []
    ) -> AuthHTTPResponse {
        let data = (try? encoder.encode(body)) ?? Data("{}".utf8)
        return AuthHTTPResponse(
            status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers, body: Array(data))
    }

    private struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var fields: [[String: String]]?
        }
        var error: Detail
    }

    static func error(
        _ status: Int, _ code: String, _ message: String, fields: [[String: String]]? = nil,
        headers: [(name: String, value: String)] = []
    ) -> AuthHTTPResponse {
        json(status, ErrorBody(error: .init(code: code, message: message, fields: fields)), headers: headers)
    }

    /// The one mapping from a failure to its answer.
    static func failure(_ error: any Error) -> AuthHTTPResponse {
        if error is MissingToken {
            return Self.error(401, "UNAUTHENTICATED", tokenRefusedMessage, headers: [("WWW-Authenticate", "Bearer")])
        }
        if let error = error as? BadBody { return Self.error(error.status, error.code, error.message) }
        if let error = error as? PasswordPolicyError {
            return Self.error(400, "BAD_REQUEST", error.description, fields: [["field": "password"]])
        }
        guard let error = error as? AuthenticationError else {
            return Self.error(500, "INTERNAL", "internal server error")
        }
        switch error {
        case .invalidToken, .sessionInactive:
            // Which check refused the token (signature, expiry, a revoked session…) is for the log only.
            return Self.error(401, "UNAUTHENTICATED", tokenRefusedMessage, headers: [("WWW-Authenticate", "Bearer")])
        case .invalidCredentials, .userDisabled, .invalidRefreshToken, .refreshTokenReused, .unknownUser:
            return Self.error(401, "UNAUTHENTICATED", error.description, headers: [("WWW-Authenticate", "Bearer")])
        case .tooManyAttempts(let retryAfter):
            let seconds = max(1, Int(retryAfter.components.seconds) + (retryAfter.components.attoseconds > 0 ? 1 : 0))
            return Self.error(429, "TOO_MANY_REQUESTS", error.description, headers: [("Retry-After", "\(seconds)")])
        case .locked(let until):
            let seconds = max(1, Int(until.timeIntervalSinceNow.rounded(.up)))
            return Self.error(429, "TOO_MANY_REQUESTS", error.description, headers: [("Retry-After", "\(seconds)")])
        case .invalidEmail:
            return Self.error(400, "BAD_REQUEST", error.description, fields: [["field": "email"]])
        case .unknownRole:
            return Self.error(400, "BAD_REQUEST", error.description, fields: [["field": "roles"]])
        case .unsupportedPasswordHash:
            return Self.error(400, "BAD_REQUEST", error.description)
        case .emailTaken, .lastAdministrator:
            return Self.error(409, "CONFLICT", error.description)
        case .forbidden:
            return Self.error(403, "FORBIDDEN", error.description)
        }
    }
}

/// An HTTP request as the host's web framework received it, reduced to what the `/auth/*` routes need.
public struct AuthHTTPRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// The path without the query string (`/auth/login`).
    public var path: String
    /// The headers; names are matched case-insensitively.
    public var headers: [(name: String, value: String)]
    /// The body bytes.
    public var body: [UInt8]
    /// The client's address as the host decided it (for throttling and the session's record).
    public var clientAddress: String?
    /// The host's id for the request, when it has one: an internal error is logged with it and the
    /// client receives it (`error.requestId`), so that a report can be matched to the log.
    public var requestID: String?

    /// Creates a request.
    public init(
        method: String, path: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        clientAddress: String? = nil, requestID: String? = nil
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.clientAddress = clientAddress
        self.requestID = requestID
    }

    /// The first value of the header `name`.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// The HTTP response to send.
public struct AuthHTTPResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The headers (`Content-Type`, and `WWW-Authenticate`, `Retry-After` or `Allow` where the status calls for them).
    public var headers: [(name: String, value: String)]
    /// The JSON body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name`.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
