import AtomoAuth
import AtomoContent
import AtomoEvents
import AtomoGraphQL
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

    private init(
        configuration: ServerConfiguration, location: EventStoreLocation, events: OpenEventStore, auth: ServerAuth,
        engine: ContentEngine, graphQL: GraphQLService
    ) {
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

    /// The principal of a bearer token, or nil.
    func principal(forToken token: String) async -> Principal? {
        try? await auth.authenticator.authenticate(token).principal
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
            // One policy for every entry point: the engine, GraphQL, the /auth routes. The engine
            // hands it each reloaded schema, so roles and capability grants follow hot reloads.
            let policy = PolicyEngine(schema: schema.schema)
            let auth = try await ServerAuth.open(
                events: events.store, database: events.database, secret: secret, schema: schema.schema, policy: policy)
            try await auth.bootstrapAdmin(configuration: configuration, schema: schema.schema, logger: logger)
            let engine = try ContentEngine(
                schema: schema.schema, events: events.store, readModels: events.database, policy: policy)
            try await engine.start()
            let graphQL = GraphQLService(engine: engine, schema: schema.schema, authenticator: auth.authenticator)
            return Backend(
                configuration: configuration, location: location, events: events, auth: auth, engine: engine,
                graphQL: graphQL)
        } catch {
            await events.close()
            throw error
        }
    }

    /// The HTTP server's channel setup: HTTP/1.1, with WebSocket upgrades on `/graphql`.
    func serverBuilder() -> HTTPServerBuilder {
        .http1WebSocketUpgrade { [self] head, _, _ in
            GraphQLWebSocket.shouldUpgrade(head, backend: self)
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

    /// Whether the event log answers, and how far it goes.
    func databaseCheck() async -> (ok: Bool, detail: [String: Any]) {
        do {
            let head = try await events.store.headPosition()
            return (true, ["status": "ok", "head": head])
        } catch {
            return (false, ["status": "error", "message": "\(error)"])
        }
    }

    /// Runs until graceful shutdown (the HTTP server has finished its requests by then), then stops
    /// the projectors at a checkpoint and closes the log.
    func run() async throws {
        try? await gracefulShutdown()
        await engine.stop()
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
}

extension Backend {
    /// Whether the read models' projectors have caught up with the log: every entity's live read
    /// model has a stored checkpoint at the head read just before (`ContentEngine.readModelStatus()`,
    /// which on PostgreSQL counts the node that holds a projector's lock too). A projector behind is
    /// given a second to catch up before it counts.
    func projectorsCheck() async -> (ok: Bool, detail: [String: Any]) {
        do {
            let head = try await events.store.headPosition()
            var behind: [String: Int64] = [:]
            for attempt in 0..<20 {
                behind = [:]
                for status in try await engine.readModelStatus() where status.checkpoint < head {
                    behind[status.entity] = head - status.checkpoint
                }
                if behind.isEmpty || attempt == 19 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            return (
                behind.isEmpty,
                ["status": behind.isEmpty ? "ok" : "behind", "head": head, "lagEvents": behind] as [String: Any]
            )
        } catch {
            return (false, ["status": "error", "message": "\(error)"])
        }
    }
}
