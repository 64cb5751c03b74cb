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
        router.middlewares.add(RequestLogMiddleware())
        router.middlewares.add(MetricsMiddleware())
        addSchemaRoutes(to: router, server: server)
        addOperationsRoutes(to: router, server: server)
        AuthRoutes.add(to: router, auth: server.backend.auth, logger: server.logger)
        GraphQLRoutes.add(to: router, backend: server.backend)
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
                "path": server.schema.current.path,
                "loadedAt": server.schema.loadedAt.formatted(.iso8601),
            ]
            if let error = server.schema.lastError {
                object["error"] = [
                    "file": error.path, "line": error.line as Any, "column": error.column as Any,
                    "message": error.message, "description": error.description,
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
            let projectors = await server.backend.projectorsCheck()
            checks["projectors"] = projectors.detail
            healthy = healthy && projectors.ok
            if let error = server.schema.lastError {
                checks["schema"] = ["status": "stale", "error": error.description]
            } else {
                checks["schema"] = ["status": "ok", "generation": server.schema.generation]
            }
            return JSONResponses.json(
                ["status": healthy ? "ok" : "unavailable", "checks": checks],
                status: healthy ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            let buffer = await server.backend.metricsText()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}
