import AtomoSchema
import AtomoTooling
import Foundation
import Hummingbird
import NIOCore
import Prometheus

/// The server's routes.
enum Routes {
    static func makeRouter(server: AtomoServer) -> Router<AtomoRequestContext> {
        let router = Router(context: AtomoRequestContext.self)
        // First, so that every later middleware and route (the request log, login throttling) sees
        // the resolved client address.
        router.middlewares.add(ClientAddressMiddleware(trustedProxies: server.configuration.trustedProxies))
        let methods = RouteMethods()
        router.middlewares.add(RequestLogMiddleware())
        router.middlewares.add(MetricsMiddleware())
        router.middlewares.add(
            RequestLimitsMiddleware(maximumBodyBytes: server.configuration.httpLimits.maximumBodyBytes, routes: methods))
        addSchemaRoutes(to: router, server: server)
        addOperationsRoutes(to: router, server: server)
        AuthRoutes.add(to: router, auth: server.backend.auth, logger: server.logger)
        GraphQLRoutes.add(to: router, backend: server.backend)
        methods.record(router.routes.map { (path: $0.path.description, method: $0.method.rawValue) })
        return router
    }

    /// `GET /meta/schema` (canonical JSON), `GET /meta/schema/status` (generation and the last reload
    /// error), `GET /schema.ts`.
    static func addSchemaRoutes(to router: Router<AtomoRequestContext>, server: AtomoServer) {
        router.get("/meta/schema") { _, _ in
            let schema = server.schema.current.schema
            do {
                return JSONResponses.data(
                    try schema.canonicalJSON(), headers: [.eTag: "\"\(schema.fingerprint.prefix(16))\""])
            } catch {
                return JSONResponses.error(.internalServerError, code: "INTERNAL", message: "\(error)")
            }
        }
        router.get("/meta/schema/status") { _, _ in
            var object: [String: Any] = [
                "generation": server.schema.generation,
                "fingerprint": server.schema.current.schema.fingerprint,
                // The file's name only: the absolute path tells a stranger where the server lives.
                "path": URL(fileURLWithPath: server.schema.current.path).lastPathComponent,
                "loadedAt": server.schema.loadedAt.formatted(.iso8601),
            ]
            if let error = server.schema.lastError {
                object["error"] = [
                    "file": URL(fileURLWithPath: error.path).lastPathComponent, "line": error.line as Any,
                    "column": error.column as Any,
                    "message": publicText(error.message, path: error.path), "description": publicDescription(error),
                ]
            }
            return JSONResponses.json(object)
        }
        router.get("/schema.ts") { _, _ in
            guard let source = typeScriptSource(server.schema.current) else {
                return JSONResponses.error(.notFound, code: "NOT_FOUND", message: "this schema has no schema.ts form")
            }
            return JSONResponses.text(source, contentType: "text/plain; charset=utf-8")
        }
    }

    /// A schema load error as clients see it: the file's name, never its absolute path.
    static func publicDescription(_ error: SchemaLoadError) -> String {
        var named = error
        named.path = URL(fileURLWithPath: error.path).lastPathComponent
        named.message = publicText(error.message, path: error.path)
        return named.description
    }

    /// `text` with the absolute `path` (and its folder) replaced by the file's name.
    static func publicText(_ text: String, path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return text.replacingOccurrences(of: url.path, with: url.lastPathComponent)
            .replacingOccurrences(of: url.deletingLastPathComponent().path + "/", with: "")
    }

    /// The schema as `schema.ts`: the file itself when the service is declared in TypeScript.
    static func typeScriptSource(_ loaded: LoadedSchema) -> String? {
        if loaded.path.hasSuffix(".ts") { return loaded.source }
        return SchemaLoader.exportTypeScript(loaded.schema)
    }

    /// `GET /health` and `GET /metrics`.
    static func addOperationsRoutes(to router: Router<AtomoRequestContext>, server: AtomoServer) {
        router.get("/health") { _, _ in
            let database = await server.backend.databaseCheck()
            var checks: [String: Any] = ["database": database.detail]
            var healthy = database.ok
            let store = await server.backend.storeCheck(logger: server.logger)
            checks["store"] = store.detail
            healthy = healthy && store.ok
            let projectors = await server.backend.projectorsCheck()
            checks["projectors"] = projectors.detail
            healthy = healthy && projectors.ok
            if let error = server.schema.lastError {
                checks["schema"] = ["status": "stale", "error": publicDescription(error)]
            } else {
                checks["schema"] = ["status": "ok", "generation": server.schema.generation]
            }
            // `fail`: the store cannot serve reads; `unavailable`: it can, but is not ready (behind, parked).
            let status = !database.ok || !store.ok ? "fail" : healthy ? "ok" : "unavailable"
            return JSONResponses.json(["status": status, "checks": checks], status: healthy ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            let buffer = await server.backend.metricsText()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}
