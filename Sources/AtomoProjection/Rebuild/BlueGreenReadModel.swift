public import AtomoEvents
public import AtomoSQL
public import Logging
import Synchronization

/// A SQL read model that is rebuilt beside the live one and swapped in when caught up, so readers
/// never see it empty or half-built.
///
/// Readers query a stable name, a **view** (`contacts`), that selects from the live version's
/// table (`contacts_v3`). ``rebuild(timeout:)`` creates the next version's table (`contacts_v4`)
/// with its own checkpoint, runs a second runner over the whole log while the live one keeps
/// serving and following, and when the new one has caught up with the head swaps the view in one
/// transaction (`DROP VIEW` + `CREATE VIEW` + the version record) — after freezing the old version
/// and letting the new one reach at least its checkpoint, so readers never go backwards. A read sees
/// either the old complete model or the new complete one; in SQLite's WAL mode a read transaction keeps its
/// snapshot across the swap, and PostgreSQL's DDL is transactional. Then the old table is dropped.
///
/// The live version is recorded in `atomo_projection_versions (name, live_version)`; projectors
/// of version `n` are named `"\(name)@v\(n)"` in the checkpoint table.
///
/// ```swift
/// let contacts = BlueGreenReadModel(
///     name: "contacts", view: try SQLIdentifier("contacts"), store: store, database: store.database
/// ) { table in ContactsProjector(table: table) }
/// try await contacts.start()         // version 1 on first use, else the recorded live version
/// try await contacts.rebuild()       // e.g. after changing ContactsProjector's logic
/// ```
///
/// The first start of a model has nothing to show before its first catch-up; from then on every
/// rebuild is invisible to readers.
///
/// Given a ``ProjectionDaemon``, the read model registers its live runner there, and the runner
/// building a rebuild while it runs, and unregisters each when it retires it.
public final class BlueGreenReadModel: Sendable {
    /// Makes the projector of one version, writing to the table it is given.
    public typealias MakeProjector = @Sendable (_ table: SQLIdentifier) -> any SQLProjector

    /// The read model's name.
    public let name: String
    /// The view readers query.
    public let view: SQLIdentifier
    private let store: any EventStore
    private let database: any SQLDatabase
    private let configuration: ProjectionRunner.Configuration
    private let makeProjector: MakeProjector
    private let daemon: ProjectionDaemon?
    private let logger: Logger
    private let live = Mutex<(version: Int, runner: ProjectionRunner?)>((0, nil))
    /// One rebuild at a time.
    private let rebuilding = Mutex(false)
    private let building = Mutex<ProjectionRunner?>(nil)

    /// Creates the read model; nothing happens until ``start()``. Its runners are registered in
    /// `daemon`, when given, and log to `logger`.
    public init(
        name: String, view: SQLIdentifier, store: any EventStore, database: any SQLDatabase,
        configuration: ProjectionRunner.Configuration = .init(), daemon: ProjectionDaemon? = nil,
        logger: Logger = ProjectionRunner.defaultLogger, makeProjector: @escaping MakeProjector
    ) {
        self.daemon = daemon
        self.logger = logger
        self.name = name
        self.view = view
        self.store = store
        self.database = database
        self.configuration = configuration
        self.makeProjector = makeProjector
    }

    /// The live version (0 before ``start()``).
    public var liveVersion: Int { live.withLock { $0.version } }

    /// While ``rebuild(timeout:)`` runs, the runner building the next version (its `health()` is the
    /// rebuild's progress: checkpoint against head); nil otherwise.
    public var rebuildRunner: ProjectionRunner? { building.withLock { $0 } }

    /// The live version's projector name, `"\(name)@v\(liveVersion)"`: the key of its checkpoint.
    public var liveProjectorName: String { "\(name)@v\(liveVersion)" }

    /// The live version's runner, for its health.
    public var runner: ProjectionRunner? { live.withLock { $0.runner } }

    /// The table of version `version`: `<view>_v<version>`.
    public func table(version: Int) throws -> SQLIdentifier { try SQLIdentifier("\(view.name)_v\(version)") }

    /// Starts the live version's runner: the recorded live version, or version 1 (created now).
    public func start() async throws {
        let name = self.name
        let version = try await database.writeTransaction { connection -> Int in
            try Self.createVersionsTable(in: connection)
            let p = connection.dialect.placeholder
            if let version = try connection.query(
                "SELECT live_version FROM atomo_projection_versions WHERE name = \(p(1))", [.text(name)]
            ).first?[0].integer {
                return Int(version)
            }
            try connection.execute(
                "INSERT INTO atomo_projection_versions (name, live_version) VALUES (\(p(1)), 1)", [.text(name)])
            return 1
        }
        let projector = try versionedProjector(version)
        let view = self.view
        let table = try table(version: version)
        try await database.writeTransaction { connection in
            try projector.createSchema(in: connection)
            try Self.pointView(view, at: table, in: connection)
        }
        let runner = ProjectionRunner(
            store: store, projector: projector, database: database, configuration: configuration, logger: logger)
        let previous = live.withLock { live in
            defer { live = (version, runner) }
            return live.runner
        }
        try replaceRegistration(of: previous, with: runner)
        runner.start()
    }

    /// Swaps `old` for `new` in the daemon, if there is one.
    private func replaceRegistration(of old: ProjectionRunner?, with new: ProjectionRunner?) throws {
        guard let daemon else { return }
        if let old { daemon.unregister(old) }
        if let new { try daemon.register(new) }
    }

    /// Builds the next version beside the live one and swaps it in once it has caught up.
    ///
    /// - Parameter timeout: the longest the new version may take to catch up; nil waits as long as it takes.
    /// - Throws: ``ProjectionError/rebuildFailed(name:reason:)`` when the new version parks, fails or
    ///   times out. The live version is untouched and the new table is dropped.
    public func rebuild(timeout: Duration? = nil) async throws {
        let alreadyRunning = rebuilding.withLock { running in
            defer { running = true }
            return running
        }
        guard !alreadyRunning else {
            throw ProjectionError.rebuildFailed(name: name, reason: "a rebuild is already running")
        }
        defer { rebuilding.withLock { $0 = false } }

        let (oldVersion, oldRunner) = live.withLock { ($0.version, $0.runner) }
        guard oldVersion > 0 else {
            throw ProjectionError.invalidState("start() the read model \(name) before rebuilding it")
        }
        let newVersion = oldVersion + 1
        let newTable = try table(version: newVersion)
        let oldTable = try table(version: oldVersion)
        let projector = try versionedProjector(newVersion)
        let projectorName = projector.name
        // A crashed earlier rebuild may have left this version behind: start it from scratch.
        try await database.writeTransaction { connection in
            try SQLCheckpointStore.createTables(in: connection)
            try projector.createSchema(in: connection)
            try projector.reset(in: connection)
            try SQLCheckpointStore.remove(projectorName, in: connection)
        }
        let runner = ProjectionRunner(
            store: store, projector: projector, database: database, configuration: configuration, logger: logger)
        try replaceRegistration(of: nil, with: runner)
        building.withLock { $0 = runner }
        defer { building.withLock { $0 = nil } }
        runner.start()
        do {
            // Twice: the second wait closes most of the gap opened by appends during the first.
            for _ in 0..<2 {
                let head = try await store.headPosition()
                try await runner.waitUntilCaughtUp(to: head, timeout: timeout)
            }
        } catch {
            await discard(runner, table: newTable, checkpoint: projectorName)
            throw ProjectionError.rebuildFailed(name: name, reason: "\(error)")
        }
        // Readers must never go backwards: freeze the old version (its runner commits its last
        // batch and stops), let the new one reach at least the same checkpoint, then swap. The old
        // model stands still only for that last step, which is short since the new one is caught up.
        await oldRunner?.stop()
        let oldName = "\(name)@v\(oldVersion)"
        let oldCheckpoint = try await SQLCheckpointStore(database: database).load(oldName)
        do {
            try await runner.waitUntilCaughtUp(to: oldCheckpoint, timeout: timeout)
        } catch {
            await discard(runner, table: newTable, checkpoint: projectorName)
            try await restartLive(version: oldVersion)
            throw ProjectionError.rebuildFailed(name: name, reason: "\(error)")
        }
        let name = self.name
        let view = self.view
        try await database.writeTransaction { connection in
            try Self.pointView(view, at: newTable, in: connection)
            let p = connection.dialect.placeholder
            try connection.execute(
                "UPDATE atomo_projection_versions SET live_version = \(p(1)) WHERE name = \(p(2))",
                [.integer(Int64(newVersion)), .text(name)])
        }
        live.withLock { $0 = (newVersion, runner) }
        if let oldRunner { daemon?.unregister(oldRunner) }
        try await database.writeTransaction { connection in
            try connection.execute("DROP TABLE IF EXISTS \(oldTable.quoted)", [])
            try SQLCheckpointStore.remove(oldName, in: connection)
        }
    }

    /// Stops a new version's runner and drops what it built.
    private func discard(_ runner: ProjectionRunner, table: SQLIdentifier, checkpoint: String) async {
        await runner.stop()
        daemon?.unregister(runner)
        try? await database.writeTransaction { connection in
            try connection.execute("DROP TABLE IF EXISTS \(table.quoted)", [])
            try SQLCheckpointStore.remove(checkpoint, in: connection)
        }
    }

    /// Starts a new runner for the live version `version` (a runner cannot be restarted once stopped).
    private func restartLive(version: Int) async throws {
        let runner = ProjectionRunner(
            store: store, projector: try versionedProjector(version), database: database, configuration: configuration,
            logger: logger)
        let previous = live.withLock { live in
            defer { live = (version, runner) }
            return live.runner
        }
        try replaceRegistration(of: previous, with: runner)
        runner.start()
    }

    /// Stops the live runner (and takes it out of the daemon).
    public func stop() async {
        guard let runner = live.withLock({ $0.runner }) else { return }
        await runner.stop()
        daemon?.unregister(runner)
    }

    private func versionedProjector(_ version: Int) throws -> VersionedSQLProjector {
        VersionedSQLProjector(base: makeProjector(try table(version: version)), name: "\(name)@v\(version)")
    }

    static func createVersionsTable(in connection: any SQLConnection) throws {
        try connection.execute(
            "CREATE TABLE IF NOT EXISTS atomo_projection_versions (name TEXT PRIMARY KEY, live_version BIGINT NOT NULL)",
            [])
    }

    /// Points the view at `table`, in the caller's transaction.
    static func pointView(_ view: SQLIdentifier, at table: SQLIdentifier, in connection: any SQLConnection) throws {
        try connection.execute("DROP VIEW IF EXISTS \(view.quoted)", [])
        try connection.execute("CREATE VIEW \(view.quoted) AS SELECT * FROM \(table.quoted)", [])
    }
}

/// A projector under a version-specific name, so each version keeps its own checkpoint.
struct VersionedSQLProjector: SQLProjector {
    let base: any SQLProjector
    let name: String

    var eventTypes: Set<String>? { base.eventTypes }
    func createSchema(in connection: any SQLConnection) throws { try base.createSchema(in: connection) }
    func reset(in connection: any SQLConnection) throws { try base.reset(in: connection) }
    func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
        try base.apply(events, in: connection)
    }
    func prepare(_ events: [RecordedEvent]) throws -> any Sendable { try base.prepare(events) }
    func apply(_ events: [RecordedEvent], prepared: any Sendable, in connection: any SQLConnection) throws {
        try Self.apply(base, events, prepared: prepared, in: connection)
    }

    private static func apply<Base: SQLProjector>(
        _ base: Base, _ events: [RecordedEvent], prepared: any Sendable, in connection: any SQLConnection
    ) throws {
        guard let prepared = prepared as? Base.Prepared else {
            try base.apply(events, in: connection)
            return
        }
        try base.apply(events, prepared: prepared, in: connection)
    }
}
