import AtomoAuth
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `POST /auth/login`, `POST /auth/refresh`, `POST /auth/logout`, `GET /auth/me` and `POST /auth/users`:
/// AtomoAuth's transport-neutral ``AtomoAuth/AuthHTTPHandler``, adapted to Hummingbird. The
/// handler decides everything (bodies, status codes, the `manageUsers` capability); this only moves
/// bytes and headers.
enum AuthRoutes {
    static func add(to router: Router<AtomoRequestContext>, auth: ServerAuth, logger: Logger) {
        // Refused bearer tokens are logged with their cause at debug; clients get one message.
        let handler = AuthHTTPHandler(authenticator: auth.authenticator, logger: logger)
        for path in ["/auth/login", "/auth/refresh", "/auth/logout", "/auth/users"] {
            router.post(RouterPath(path)) { request, context in
                try await handle(request, context: context, handler: handler)
            }
        }
        router.get("/auth/me") { request, context in
            try await handle(request, context: context, handler: handler)
        }
    }

    static func handle(
        _ request: Request, context: AtomoRequestContext, handler: AuthHTTPHandler
    ) async throws
        -> Response
    {
        // One byte more than the handler accepts, so that an oversized body reaches it and is 413.
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: handler.maximumBodyBytes + 1)
        } catch {
            return JSONResponses.error(
                .contentTooLarge, code: "PAYLOAD_TOO_LARGE",
                message: "the body is larger than \(handler.maximumBodyBytes) bytes")
        }
        let headers = TransportAdapter.headers(of: request)
        let response = await handler.handle(
            AuthHTTPRequest(
                method: request.method.rawValue, path: request.uri.path, headers: headers,
                body: Array(body.readableBytesView), clientAddress: context.clientAddress, requestID: context.id))
        return TransportAdapter.response(status: response.status, headers: response.headers, body: response.body)
    }
}
