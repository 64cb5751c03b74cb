import AtomoEvents
import AtomoTooling
import Foundation
import Hummingbird
public import Logging
import Metrics
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The reference server: one service's schema served as a running backend.
///
/// `crm-server` and `atomo dev` run it until SIGTERM or SIGINT (``run()``); tests start it on a free
/// loopback port and stop it (``start()``, ``stop()``).
///
/// ```swift
/// let server = try await AtomoServer(configuration: .init(port: 0, schemaPath: "services/crm-service/schema.ts"))
/// let port = try await server.start()
/// // … http://127.0.0.1:\(port)/graphql …
/// await server.stop()
/// ```
///
/// Shutdown is graceful: the HTTP server stops accepting connections and finishes the requests in
/// flight (so every write it acknowledges is durable), then the read models' projectors stop at a
/// checkpoint and the event log closes.
public final class AtomoServer: Sendable {
    /// The configuration the server started with.
    public let configuration: ServerConfiguration
    /// The schema being served.
    public let schema: ServiceSchema
    /// The server's log.
    public let logger: Logger
    let backend: Backend
    private let group: Mutex<ServiceGroup?> = Mutex(nil)
    private let boundPort: Mutex<Int?> = Mutex(nil)
    private let runTask: Mutex<Task<Void, any Error>?> = Mutex(nil)

    /// Opens the data folder and the event log, loads the schema, and prepares the routes; nothing
    /// listens until ``start()`` or ``run()``.
    ///
    /// - Throws: ``ServerError`` when the schema does not load or a production secret is missing, or
    ///   the error of opening the database.
    public init(configuration: ServerConfiguration, logger: Logger? = nil) async throws {
        self.configuration = configuration
        var log = logger ?? Logger(label: "atomo.server")
        log.logLevel = configuration.logLevel
        self.logger = log
        if let problem = configuration.invalidSettings.first { throw ServerError.configuration(problem) }
        let loaded: LoadedSchema
        do {
            loaded = try SchemaLoader.load(configuration.schemaPath)
        } catch {
            throw ServerError.schema(error.description)
        }
        schema = ServiceSchema(loaded)
        backend = try await Backend.open(configuration: configuration, schema: loaded, logger: log)
    }

    /// The port the server listens on, once started (useful with port 0).
    public var port: Int? { boundPort.withLock { $0 } }

    private func makeServiceGroup(signals: [UnixSignal]) -> (ServiceGroup, AsyncStream<Int>) {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let router = Routes.makeRouter(server: self)
        let app = Application(
            router: router,
            server: backend.serverBuilder(logger: logger),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "atomo"),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? 0
                self.boundPort.withLock { $0 = port }
                portContinuation.yield(port)
                portContinuation.finish()
            },
            logger: logger)
        var services: [any Service] = [backend]
        if configuration.watchSchema {
            services.append(
                SchemaWatcher(
                    path: configuration.schemaPath, interval: configuration.watchInterval, schema: schema,
                    logger: logger
                ) { [backend, schema, logger] loaded in
                    try await backend.apply(loaded, replacing: schema.current, logger: logger)
                    schema.replace(with: loaded)
                })
        }
        // ServiceGroup shuts services down in reverse order: the HTTP server first (finishing the
        // requests in flight), then the watcher, then the backend (projector checkpoints, the log).
        services.append(app)
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: signals, logger: logger))
        return (group, ports)
    }

    /// Starts listening in the background and returns the bound port.
    public func start() async throws -> Int {
        let (group, ports) = makeServiceGroup(signals: [])
        self.group.withLock { $0 = group }
        let task = Task { try await group.run() }
        runTask.withLock { $0 = task }
        for await port in ports { return port }
        // The group ended before the server bound its port: surface why.
        try await task.value
        throw ServerError.stoppedBeforeListening
    }

    /// Shuts down gracefully and waits until everything has stopped.
    public func stop() async {
        let group = self.group.withLock { $0 }
        await group?.triggerGracefulShutdown()
        let task = runTask.withLock { $0 }
        _ = try? await task?.value
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully.
    public func run() async throws {
        let (group, ports) = makeServiceGroup(signals: [.sigterm, .sigint])
        self.group.withLock { $0 = group }
        Task { [logger, configuration] in
            for await port in ports {
                logger.info(
                    "listening",
                    metadata: [
                        "url": "http://\(configuration.host):\(port)", "schema": .string(configuration.schemaPath),
                    ])
                // One line on standard output, for people and for scripts that start the server on port 0.
                print("Atomo is serving \(configuration.schemaPath) at http://\(configuration.host):\(port)/graphql")
                if configuration.mode == .development {
                    // Who may do what, as the policy decides it: nobody should find out from an
                    // incident that an entity without rules was open.
                    print("\nAccess (a request without a token is 'anonymous'):\n\(self.backend.accessMatrix())\n")
                }
                fflush(nil)
            }
        }
        try await group.run()
    }
}
