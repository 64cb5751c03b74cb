import Foundation
public import Hummingbird
import Logging
import NIOCore
import HTTPTypes

/// Logs one structured line per request once it is answered: method, path, status, duration, and
/// turns errors nobody handled into JSON error bodies (never an empty 500; an oversized body read is
/// 413). Every response carries `X-Request-ID`, the id the log lines of the request carry; an internal
/// error is logged with it and the client receives it in the body.
public struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    /// Answers the request through `next`, then logs it.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            response = JSONResponses.error(
                error.status, code: Self.code(for: error.status), message: error.body ?? error.status.reasonPhrase,
                headers: error.headers)
        } catch is NIOTooManyBytesError {
            // A body read with a bound (`collect(upTo:)`) that the client exceeded.
            response = JSONResponses.error(
                .contentTooLarge, code: "PAYLOAD_TOO_LARGE", message: "the request body is too large")
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)", "requestId": .string(context.id)])
            response = JSONResponses.json(
                [
                    "error": [
                        "code": "INTERNAL", "message": "internal error (request \(context.id); the server log has the cause)",
                        "requestId": context.id,
                    ]
                ], status: .internalServerError)
        }
        // Every answer names its request, so that a client reporting a problem can point at the log line.
        response.headers[RequestIDHeader.name] = context.id
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .string(String(format: "%.2f", milliseconds)),
            ])
        return response
    }

    /// A stable code for an HTTP status.
    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "BAD_REQUEST"
        case 401: "UNAUTHENTICATED"
        case 403: "FORBIDDEN"
        case 404: "NOT_FOUND"
        case 405: "METHOD_NOT_ALLOWED"
        case 409: "CONFLICT"
        case 413: "PAYLOAD_TOO_LARGE"
        case 429: "TOO_MANY_REQUESTS"
        case 503: "UNAVAILABLE"
        default: status.code >= 500 ? "INTERNAL" : "HTTP_\(status.code)"
        }
    }
}

/// `X-Request-ID`: the id of the request in the server's log, on every response.
enum RequestIDHeader {
    static let name = HTTPField.Name("X-Request-ID")!
}
