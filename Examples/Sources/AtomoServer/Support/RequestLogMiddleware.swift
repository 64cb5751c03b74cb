import Foundation
public import Hummingbird
import Logging

/// Logs one structured line per request once it is answered: method, path, status, duration, and
/// turns errors nobody handled into JSON error bodies (never an empty 500).
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
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(error)"])
            response = JSONResponses.error(.internalServerError, code: "INTERNAL", message: "internal error")
        }
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
