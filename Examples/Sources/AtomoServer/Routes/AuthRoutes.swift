import AtomoAuth
import AtomoSchema
import Foundation
import Hummingbird
import NIOCore

/// `POST /auth/login`, `POST /auth/refresh`, `POST /auth/logout`, `GET /auth/me`, and
/// `POST /auth/users` (an Admin creates a user).
///
/// Every answer is JSON. A malformed body is 400, bad credentials or a bad token 401, a refused
/// role 403, throttling 429 with `Retry-After`.
enum AuthRoutes {
    static let maximumBodySize = 64 * 1024

    static func add(to router: Router<AtomoRequestContext>, auth: ServerAuth) {
        let authenticator = auth.authenticator
        router.post("/auth/login") { request, context in
            let body: [String: Any]
            switch await jsonObject(request, context: context) {
            case .success(let object): body = object
            case .failure(let box): return box.response
            }
            guard let email = body["email"] as? String, let password = body["password"] as? String else {
                return JSONResponses.error(
                    .badRequest, code: "BAD_REQUEST", message: "expected {\"email\": string, \"password\": string}")
            }
            do {
                let result = try await authenticator.login(
                    email: email, password: password, clientAddress: context.clientAddress)
                return JSONResponses.json(tokenBody(result))
            } catch {
                return failure(error)
            }
        }
        router.post("/auth/refresh") { request, context in
            let body: [String: Any]
            switch await jsonObject(request, context: context) {
            case .success(let object): body = object
            case .failure(let box): return box.response
            }
            guard let token = body["refreshToken"] as? String else {
                return JSONResponses.error(.badRequest, code: "BAD_REQUEST", message: "expected {\"refreshToken\": string}")
            }
            do {
                return JSONResponses.json(
                    tokenBody(try await authenticator.refresh(token, clientAddress: context.clientAddress)))
            } catch {
                return failure(error)
            }
        }
        router.post("/auth/logout") { request, _ in
            do {
                let user = try await authenticate(request, authenticator)
                _ = try await authenticator.logout(sessionID: user.claims.sessionID, actor: user.userID)
                return JSONResponses.json(["ok": true])
            } catch {
                return failure(error)
            }
        }
        router.get("/auth/me") { request, _ in
            do {
                let user = try await authenticate(request, authenticator)
                let stored = try await authenticator.user(id: user.userID)
                return JSONResponses.json([
                    "user": [
                        "id": user.userID, "email": stored?.email ?? "", "roles": user.claims.roles,
                    ] as [String: Any],
                    "expiresAt": user.claims.expiresAt.formatted(.iso8601),
                ])
            } catch {
                return failure(error)
            }
        }
        router.post("/auth/users") { request, context in
            do {
                let admin = try await authenticate(request, authenticator)
                guard admin.claims.roles.contains("Admin") else {
                    return JSONResponses.error(.forbidden, code: "FORBIDDEN", message: "only an Admin creates users")
                }
                let body: [String: Any]
                switch await jsonObject(request, context: context) {
                case .success(let object): body = object
                case .failure(let box): return box.response
                }
                guard let email = body["email"] as? String, let password = body["password"] as? String,
                    let roles = body["roles"] as? [String]
                else {
                    return JSONResponses.error(
                        .badRequest, code: "BAD_REQUEST",
                        message: "expected {\"email\": string, \"password\": string, \"roles\": [string]}")
                }
                let user = try await authenticator.register(
                    email: email, password: password, roles: roles, actor: admin.userID)
                return JSONResponses.json(
                    ["user": ["id": user.id, "email": user.email, "roles": user.roles] as [String: Any]], status: .created)
            } catch {
                return failure(error)
            }
        }
    }

    /// The bearer token's user, or ``AuthenticationError/invalidToken(_:)``-style failures.
    static func authenticate(_ request: Request, _ authenticator: Authenticator) async throws -> AuthenticatedUser {
        guard let token = bearerToken(request) else { throw MissingToken() }
        return try await authenticator.authenticate(token)
    }

    /// The token of an `Authorization: Bearer …` header.
    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    struct MissingToken: Error {}

    static func tokenBody(_ result: LoginResult) -> [String: Any] {
        [
            "token": result.accessToken, "refreshToken": result.refreshToken,
            "expiresIn": max(0, Int(result.accessClaims.expiresAt.timeIntervalSinceNow.rounded())),
            "user": ["id": result.user.id, "email": result.user.email, "roles": result.user.roles] as [String: Any],
        ]
    }

    /// The JSON error response for an authentication failure.
    static func failure(_ error: any Error) -> Response {
        if error is MissingToken {
            return JSONResponses.error(
                .unauthorized, code: "UNAUTHENTICATED", message: "send Authorization: Bearer <token>",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        guard let error = error as? AuthenticationError else {
            return JSONResponses.error(.internalServerError, code: "INTERNAL", message: "\(error)")
        }
        switch error {
        case .invalidCredentials, .userDisabled, .invalidToken, .sessionInactive, .invalidRefreshToken,
            .refreshTokenReused, .unknownUser:
            return JSONResponses.error(
                .unauthorized, code: "UNAUTHENTICATED", message: error.description, headers: [.wwwAuthenticate: "Bearer"])
        case .tooManyAttempts(let retryAfter):
            let seconds = max(1, Int(retryAfter.components.seconds) + (retryAfter.components.attoseconds > 0 ? 1 : 0))
            return JSONResponses.error(
                .tooManyRequests, code: "TOO_MANY_REQUESTS", message: error.description,
                headers: [.retryAfter: "\(seconds)"])
        case .locked(let until):
            let seconds = max(1, Int(until.timeIntervalSinceNow.rounded(.up)))
            return JSONResponses.error(
                .tooManyRequests, code: "TOO_MANY_REQUESTS", message: error.description,
                headers: [.retryAfter: "\(seconds)"])
        case .invalidEmail, .unknownRole, .unsupportedPasswordHash:
            return JSONResponses.error(.badRequest, code: "BAD_REQUEST", message: error.description)
        case .emailTaken:
            return JSONResponses.error(.conflict, code: "CONFLICT", message: error.description)
        }
    }

    /// The request's body as a JSON object, or the 400 response saying why not.
    static func jsonObject(_ request: Request, context: AtomoRequestContext) async -> Result<[String: Any], ResponseBox> {
        do {
            let buffer = try await request.body.collect(upTo: maximumBodySize)
            guard let object = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any]
            else {
                return .failure(
                    ResponseBox(JSONResponses.error(.badRequest, code: "BAD_REQUEST", message: "expected a JSON object")))
            }
            return .success(object)
        } catch {
            return .failure(
                ResponseBox(JSONResponses.error(.badRequest, code: "BAD_REQUEST", message: "the body is not valid JSON")))
        }
    }
}

/// A response carried as an error, so that body parsing can return one early.
struct ResponseBox: Error {
    let response: Response
    init(_ response: Response) { self.response = response }
}
