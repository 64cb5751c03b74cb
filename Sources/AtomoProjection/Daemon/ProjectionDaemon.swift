public import Logging
import Synchronization

/// One registry of the projection runners a process runs: a host starts and stops them as a whole,
/// and everything that reports on projections (health checks, `/metrics`, an operations console,
/// a jobs dispatcher) reads the same list.
///
/// Components register the runners they create (`ContentEngine` registers its read models'
/// runners, including the one building a blue/green rebuild) and unregister them when they retire
/// them. A component may start its runners itself (it needs them to answer); ``start()`` starts
/// whatever is registered and not started yet, and every runner registered while the daemon runs;
/// ``stop()`` stops them all at a checkpoint. Operators act per projector by name: ``rebuild(_:)``,
/// ``resume(_:)``, ``skipParked(_:)``.
///
/// ```swift
/// let daemon = ProjectionDaemon(logger: logger)
/// try daemon.register(ProjectionRunner(store: store, projector: ContactsProjector(), database: store.database))
/// daemon.start()
/// for projector in await daemon.status() {
///     print(projector.name, projector.state, projector.lagEvents, projector.lagSeconds)
/// }
/// if let parked = await daemon.status().first(where: { $0.state == .parked }) {
///     try await daemon.skipParked(parked.name)
/// }
/// await daemon.stop()
/// ```
public final class ProjectionDaemon: Sendable {
    private struct State {
        /// In registration order: reports list projectors in the order their owners declared them.
        var runners: [ProjectionRunner] = []
        var isRunning = false
    }

    /// Where the daemon logs registrations, starts and stops.
    public let logger: Logger
    private let state = Mutex(State())

    /// Creates an empty daemon; nothing runs until ``start()``.
    public init(logger: Logger = Logger(label: "atomo.projection.daemon")) {
        self.logger = logger
    }

    /// Adds a runner. When the daemon is running, the runner is started too.
    ///
    /// - Throws: ``ProjectionError/duplicateProjector(name:)`` when a runner of the same name is
    ///   registered (unregister a retired runner before registering its successor).
    public func register(_ runner: ProjectionRunner) throws {
        let start = try state.withLock { state throws(ProjectionError) -> Bool in
            guard !state.runners.contains(where: { $0.name == runner.name }) else {
                throw .duplicateProjector(name: runner.name)
            }
            state.runners.append(runner)
            return state.isRunning
        }
        logger.debug("projector registered", metadata: ["projector": .string(runner.name)])
        if start { runner.start() }
    }

    /// Removes `runner` (this very runner, not another of the same name) from the registry. It does
    /// not stop it; its owner does.
    public func unregister(_ runner: ProjectionRunner) {
        let removed = state.withLock { state -> Bool in
            guard let index = state.runners.firstIndex(where: { $0 === runner }) else { return false }
            state.runners.remove(at: index)
            return true
        }
        if removed { logger.debug("projector unregistered", metadata: ["projector": .string(runner.name)]) }
    }

    /// The registered runners, in registration order.
    public var runners: [ProjectionRunner] { state.withLock { $0.runners } }

    /// The registered projectors' names, in registration order.
    public var names: [String] { runners.map(\.name) }

    /// The runner of projector `name`, if registered.
    public func runner(named name: String) -> ProjectionRunner? {
        state.withLock { state in state.runners.first { $0.name == name } }
    }

    /// Whether ``start()`` was called and ``stop()`` not since.
    public var isRunning: Bool { state.withLock { $0.isRunning } }

    /// Starts every registered runner that is not started yet, and from now on every runner
    /// registered. Calling it again does nothing more.
    public func start() {
        let runners = state.withLock { state -> [ProjectionRunner] in
            state.isRunning = true
            return state.runners
        }
        for runner in runners { runner.start() }
        logger.info("projection daemon started", metadata: ["projectors": "\(runners.count)"])
    }

    /// Stops every registered runner (each lets its batch in flight commit with its checkpoint),
    /// all at once, and returns when they have stopped. They stay registered, stopped.
    public func stop() async {
        let runners = state.withLock { state -> [ProjectionRunner] in
            state.isRunning = false
            return state.runners
        }
        await withTaskGroup(of: Void.self) { group in
            for runner in runners { group.addTask { await runner.stop() } }
        }
        logger.info("projection daemon stopped", metadata: ["projectors": "\(runners.count)"])
    }

    /// Every registered projector's status, in registration order: state, checkpoint, head read
    /// from the store now, lag in events and in seconds (how long ago the oldest event it has not
    /// applied was committed; 0 when caught up), throughput, errors and error rate, the last error,
    /// and the event a parked projector is parked on. See ``ProjectionRunner/status()``.
    public func status() async -> [ProjectionHealth] {
        let runners = self.runners
        return await withTaskGroup(of: (Int, ProjectionHealth).self) { group in
            for (index, runner) in runners.enumerated() {
                group.addTask { (index, await runner.status()) }
            }
            var result = [ProjectionHealth?](repeating: nil, count: runners.count)
            for await (index, health) in group { result[index] = health }
            return result.compactMap { $0 }
        }
    }

    /// The status of projector `name`.
    ///
    /// - Throws: ``ProjectionError/unknownProjector(name:)``.
    public func status(of name: String) async throws -> ProjectionHealth {
        await (try registered(name)).status()
    }

    /// Rebuilds projector `name` in place: empties its read model, resets its checkpoint and replays
    /// the log (see ``ProjectionRunner/rebuild()``; for read models readers query while they are
    /// rebuilt, rebuild through their owner, e.g. ``BlueGreenReadModel/rebuild(timeout:)``).
    ///
    /// - Throws: ``ProjectionError/unknownProjector(name:)``, or the reset's failure.
    public func rebuild(_ name: String) async throws {
        let runner = try registered(name)
        logger.info("rebuilding projector", metadata: ["projector": .string(name)])
        try await runner.rebuild()
    }

    /// Lets parked projector `name` try the event it is parked on again. Does nothing when it is not
    /// parked.
    ///
    /// - Throws: ``ProjectionError/unknownProjector(name:)``.
    public func resume(_ name: String) throws {
        try registered(name).resume()
    }

    /// Skips the event parked projector `name` is parked on: records it as skipped and goes on
    /// (see ``ProjectionRunner/skipParked()``).
    ///
    /// - Throws: ``ProjectionError/unknownProjector(name:)``, ``ProjectionError/notParked(name:)``,
    ///   or the failure to record the skip.
    @discardableResult
    public func skipParked(_ name: String) async throws -> SkippedEvent {
        let runner = try registered(name)
        return try await runner.skipParked()
    }

    private func registered(_ name: String) throws(ProjectionError) -> ProjectionRunner {
        guard let runner = runner(named: name) else { throw .unknownProjector(name: name) }
        return runner
    }
}
