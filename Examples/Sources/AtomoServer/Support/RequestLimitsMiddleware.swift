import Hummingbird
import Synchronization

/// The methods each route path answers, gathered from the router once its routes are added.
final class RouteMethods: Sendable {
    private let table = Mutex<[String: [String]]>([:])

    /// Records the router's routes.
    func record(_ routes: [(path: String, method: String)]) {
        var table: [String: Set<String>] = [:]
        for route in routes { table[route.path, default: []].insert(route.method) }
        self.table.withLock { $0 = table.mapValues { $0.sorted() } }
    }

    /// The methods `path` answers (empty when it is no route).
    func methods(for path: String) -> [String] { table.withLock { $0[path] ?? [] } }
}

/// Answers before any route runs: 413 for a body whose `Content-Length` is over the limit (on every
/// route, whether or not it reads bodies), and 405 with `Allow` for a path that exists under other
/// methods (instead of the router's 404).
struct RequestLimitsMiddleware<Context: RequestContext>: RouterMiddleware {
    let maximumBodyBytes: Int
    let routes: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maximumBodyBytes {
            return JSONResponses.error(
                .contentTooLarge, code: "PAYLOAD_TOO_LARGE",
                message: "the body is larger than \(maximumBodyBytes) bytes",
                headers: [.connection: "close"])
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.methods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            return JSONResponses.error(
                .methodNotAllowed, code: "METHOD_NOT_ALLOWED",
                message: "\(request.uri.path) answers \(allowed.joined(separator: ", "))",
                headers: [.allow: allowed.joined(separator: ", ")])
        }
    }
}
