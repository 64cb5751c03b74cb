import AtomoAuth
import AtomoContent
import AtomoEvents
import AtomoGraphQL
import AtomoProjection
import AtomoSQL
import AtomoSchema
import AtomoTooling
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Synchronization

/// What the routes serve from: the event log, and the modules wired over it. A `Service`, so that
/// graceful shutdown closes it after the HTTP server has finished its requests.
final class Backend: Service, Sendable {
    let configuration: ServerConfiguration
    let location: EventStoreLocation
    let events: OpenEventStore
    let auth: ServerAuth
    let engine: ContentEngine
    let graphQL: GraphQLService
    let graphQLHTTP: GraphQLHTTPHandler
    /// `PRAGMA quick_check` of the SQLite file, run at start.
    let integrity: StoreIntegrity
    /// The read models that failed the last `/health` probe (to log a failure once, not per probe).
    private let failingReadModels = Mutex<[String: String]>([:])

    private init(
        configuration: ServerConfiguration, location: EventStoreLocation, events: OpenEventStore, auth: ServerAuth,
        engine: ContentEngine, graphQL: GraphQLService, integrity: StoreIntegrity
    ) {
        self.integrity = integrity
        self.configuration = configuration
        self.location = location
        self.events = events
        self.auth = auth
        self.engine = engine
        self.graphQL = graphQL
        let authenticator = auth.authenticator
        self.graphQLHTTP = GraphQLHTTPHandler(service: graphQL) { token in
            try? await authenticator.authenticate(token).principal
        }
    }

    static func open(configuration: ServerConfiguration, schema: LoadedSchema, logger: Logger) async throws -> Backend {
        let folder: DataFolder
        do {
            folder = try DataFolder(path: configuration.dataDirectory)
        } catch {
            throw ServerError.dataFolder("cannot create \(configuration.dataDirectory): \(error)")
        }
        let secret = try folder.jwtSecret(configured: configuration.jwtSecret, mode: configuration.mode, logger: logger)
        let location = EventStoreLocation.resolve(
            dataDirectory: configuration.dataDirectory, databaseURL: configuration.databaseURL)
        logger.info("event log", metadata: ["location": .string(location.description)])
        _ = ServerMetrics.registry  // installs the Prometheus backend before anything records metrics
        let events = try await OpenEventStore.open(location)
        do {
            let integrity =
                events.sqlite != nil
                ? await StoreIntegrity.check(events.database, logger: logger) : StoreIntegrity.notApplicable
            // One policy for every entry point: the engine, GraphQL, the /auth routes. The engine
            // hands it each reloaded schema, so roles and capability grants follow hot reloads.
            let policy = PolicyEngine(schema: schema.schema)
            let auth = try await ServerAuth.open(
                events: events.store, database: events.database, secret: secret, schema: schema.schema, policy: policy,
                tokenLifetime: configuration.accessTokenLifetime, tokenLeeway: configuration.tokenLeeway)
            try await auth.bootstrapAdmin(configuration: configuration, schema: schema.schema, logger: logger)
            // The server's projection daemon: the engine registers its read models' projectors there,
            // and `/health` and `/metrics` read it.
            let daemon = ProjectionDaemon(logger: logger)
            let engine = try ContentEngine(
                schema: schema.schema, events: events.store, readModels: events.database, policy: policy,
                daemon: daemon, logger: logger)
            daemon.start()
            try await engine.start()
            let graphQL = GraphQLService(engine: engine, schema: schema.schema, authenticator: auth.authenticator)
            return Backend(
                configuration: configuration, location: location, events: events, auth: auth, engine: engine,
                graphQL: graphQL, integrity: integrity)
        } catch {
            await events.close()
            throw error
        }
    }

    /// The HTTP server's channel setup: HTTP/1.1, with WebSocket upgrades on `/graphql`, behind the
    /// ``ConnectionGuard`` (connection caps; header, body and idle timeouts) and NIO's protocol error
    /// handler (400 for a malformed request). Websockets are pinged at a third of the idle timeout, so
    /// a live client is never idle.
    func serverBuilder(logger: Logger) -> HTTPServerBuilder {
        let limits = configuration.httpLimits
        let counter = ConnectionCounter(limits: limits, trustedProxies: configuration.trustedProxies)
        let pingInterval = limits.idleTimeout / 3
        return HTTPServerBuilder { [self] responder in
            GuardedServerChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder,
                    configuration: .init(
                        http1: .init(),
                        ws: .init(autoPing: .enabled(timePeriod: pingInterval))),
                    shouldUpgrade: { head, _, _ in GraphQLWebSocket.shouldUpgrade(head, backend: self) }),
                counter: counter, logger: logger)
        }
    }

    /// Installs a reloaded schema through AtomoGraphQL's one reload step: diff, build the GraphQL
    /// schemas as a check, migrate the read models, swap the API.
    func apply(_ new: LoadedSchema, replacing old: LoadedSchema, logger: Logger) async throws {
        let diff: SchemaDiff
        do {
            diff = try await graphQL.reload(to: new.schema)
        } catch {
            throw SchemaLoadError(path: new.path, message: error.description)
        }
        logger.info(
            "schema changed",
            metadata: [
                "changes": .string(diff.changes.map(\.description).joined(separator: "; ")),
                "fingerprint": .string(String(new.schema.fingerprint.prefix(12))),
            ])
    }

    /// The effective access matrix of the schema being served (entity × role and anonymous × operation).
    func accessMatrix() -> AccessMatrix {
        PolicyEngine(schema: engine.schema).accessMatrix()
    }

    /// Whether the event log answers, and how far it goes.
    func databaseCheck() async -> (ok: Bool, detail: [String: Any]) {
        do {
            let head = try await events.store.headPosition()
            return (true, ["status": "ok", "head": head])
        } catch {
            return (false, ["status": "fail", "message": "\(error)"])
        }
    }

    /// Whether the store can serve reads: the start-up `quick_check` of a SQLite file, and one record
    /// read from each read model now. A failure is logged (once, until it changes) with its cause.
    func storeCheck(logger: Logger) async -> (ok: Bool, detail: [String: Any]) {
        var detail: [String: Any] = [:]
        var ok = true
        switch integrity.current {
        case .notApplicable: detail["integrity"] = "not applicable"
        case .checking: detail["integrity"] = "checking"
        case .passed: detail["integrity"] = "ok"
        case .failed(let message):
            detail["integrity"] = "fail"
            detail["integrityProblems"] = message
            ok = false
        }
        let failures = await engine.probeReadModels()
        let changed = failingReadModels.withLock { previous in
            defer { previous = failures }
            return previous != failures
        }
        if changed && !failures.isEmpty {
            logger.error(
                "read models cannot be read",
                metadata: ["failures": .string(failures.sorted { $0.key < $1.key }.map { "\($0): \($1)" }.joined(separator: "; "))])
        }
        detail["readModels"] = failures.isEmpty ? "ok" : failures
        ok = ok && failures.isEmpty
        detail["status"] = ok ? "ok" : "fail"
        return (ok, detail)
    }

    /// Runs until graceful shutdown (the HTTP server has finished its requests by then), then stops
    /// the projectors at a checkpoint and closes the log.
    func run() async throws {
        try? await gracefulShutdown()
        await engine.stop()
        await engine.daemon.stop()
        await events.close()
    }
}

/// The process's Prometheus registry, installed as the swift-metrics backend on first use.
enum ServerMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    /// Refreshes the projection series from the daemon at each scrape.
    static let projections = ProjectionMetricsPublisher(registry: registry)
}

extension Backend {
    /// Whether the read models have caught up with the log, from `ContentEngine.readModelHealth()`:
    /// the engine waits (by notification, up to a second) for its projectors to reach the head read
    /// when the check began, and counts the stored checkpoint of a projector another node applies
    /// (PostgreSQL). A parked projector makes the check fail at once. The detail lists every
    /// projector of the engine's daemon.
    func projectorsCheck() async -> (ok: Bool, detail: [String: Any]) {
        do {
            let health = try await engine.readModelHealth()
            var projectors: [String: Any] = [:]
            for projector in health.projectors {
                var detail: [String: Any] = [
                    "state": projector.state.rawValue, "checkpoint": projector.checkpoint, "head": projector.head,
                    "lagEvents": projector.lagEvents, "lagSeconds": projector.lagSeconds,
                    "errorCount": projector.errorCount,
                ]
                if let parked = projector.parked {
                    detail["parked"] =
                        [
                            "position": parked.position, "eventType": parked.eventType, "error": parked.message,
                        ] as [String: Any]
                }
                projectors[projector.name] = detail
            }
            let status = health.isCaughtUp ? "ok" : health.parked.isEmpty ? "behind" : "parked"
            return (
                health.isCaughtUp,
                [
                    "status": status, "head": health.head, "lagEvents": health.behind, "parked": health.parked,
                    "projectors": projectors,
                ] as [String: Any]
            )
        } catch {
            return (false, ["status": "error", "message": "\(error)"])
        }
    }

    /// The Prometheus exposition of the process's metrics, with the projection daemon's status
    /// written into the registry just before (see `ProjectionMetricsPublisher`).
    func metricsText() async -> [UInt8] {
        ServerMetrics.projections.publish(await engine.daemon.status())
        var buffer: [UInt8] = []
        ServerMetrics.registry.emit(into: &buffer)
        return buffer
    }
}
