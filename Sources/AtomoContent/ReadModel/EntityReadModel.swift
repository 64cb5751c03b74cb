import AtomoEvents
import AtomoProjection
import AtomoSchema
import AtomoSQL
import Foundation
import Logging
import Synchronization

/// One entity's read model: a blue/green pair of tables behind a view, its runner, and the shape
/// (fields and types) the live table was built for.
final class EntityReadModel: Sendable {
    let name: String
    let blueGreen: BlueGreenReadModel
    private let database: any SQLDatabase
    private let registry: ShapeRegistry

    init(entity: EntityModel, decoder: ContentEventDecoder, store: any EventStore, database: any SQLDatabase,
         configuration: ProjectionRunner.Configuration, commitTimes: AppliedCommitTimes, daemon: ProjectionDaemon,
         logger: Logger) {
        self.name = entity.name
        self.database = database
        let registry = ShapeRegistry(ProjectorShape(entity: entity, decoder: decoder))
        self.registry = registry
        blueGreen = BlueGreenReadModel(
            name: "content.\(entity.name)", view: entity.view, store: store, database: database, configuration: configuration,
            daemon: daemon, logger: logger
        ) { table in
            let shape = registry.next.withLock { $0 }
            registry.byTable.withLock { $0[table.name] = shape }
            return ContentProjector(table: table, shape: shape, commitTimes: commitTimes)
        }
    }

    /// The stored shape record table.
    static func createShapesTable(in connection: any SQLConnection) throws {
        try connection.execute(
            "CREATE TABLE IF NOT EXISTS atomo_content_shapes (view TEXT PRIMARY KEY, entity TEXT NOT NULL)", [])
    }

    /// The entity declaration the live table was built for, if any.
    static func storedEntity(view: SQLIdentifier, in connection: any SQLConnection) throws -> Entity? {
        let p = connection.dialect.placeholder
        guard let text = try connection.query("SELECT entity FROM atomo_content_shapes WHERE view = \(p(1))", [.text(view.name)]).first?[0].text
        else { return nil }
        return try? JSONDecoder().decode(Entity.self, from: Data(text.utf8))
    }

    static func saveEntity(_ entity: Entity, view: SQLIdentifier, in connection: any SQLConnection) throws {
        let p = connection.dialect.placeholder
        let json = String(decoding: try JSONEncoder().encode(entity), as: UTF8.self)
        try connection.execute(
            "INSERT INTO atomo_content_shapes (view, entity) VALUES (\(p(1)), \(p(2))) ON CONFLICT (view) DO UPDATE SET entity = excluded.entity",
            [.text(view.name), .text(json)])
    }

    /// What a change from `old` to `new` needs from the read model.
    enum Migration: Equatable {
        case none
        /// New columns only (names → models).
        case addColumns([String])
        case rebuild
    }

    /// Compares the shapes that matter to the table: columns, their storage and content.
    static func migration(from old: EntityModel, to new: EntityModel) -> Migration {
        var added: [String] = []
        for column in old.columns {
            guard let now = new.columnsByName[column.name], now.field.type == column.field.type else { return .rebuild }
        }
        // Renames map old events' values into a column: rebuild so that stored rows get them too.
        if new.renames != old.renames { return .rebuild }
        for column in new.columns where old.columnsByName[column.name] == nil { added.append(column.name) }
        let indexChanged = new.columns.contains { column in
            old.columnsByName[column.name].map {
                $0.isIndexed != column.isIndexed || $0.hasListOrderIndex != column.hasListOrderIndex
            } ?? false
        }
        if indexChanged { return .rebuild }
        return added.isEmpty ? .none : .addColumns(added)
    }

    /// Starts the live version (with `liveEntity`, the shape it was built for).
    func start(liveEntity: EntityModel, decoder: ContentEventDecoder) async throws {
        registry.next.withLock { $0 = ProjectorShape(entity: liveEntity, decoder: decoder) }
        try await blueGreen.start()
    }

    /// Adds columns to the live table in place, then lets the live projector write them.
    func addColumns(_ names: [String], entity: EntityModel, decoder: ContentEventDecoder) async throws {
        let table = try blueGreen.table(version: blueGreen.liveVersion)
        let view = entity.view
        let columns = names.compactMap { entity.columnsByName[$0] }
        let entityDeclaration = entity.entity
        try await database.writeTransaction { connection in
            // The view first, then its table: a reader locks in that order (the view, then the table
            // the view expands to), so taking the table first would deadlock with a reader that
            // holds the view. PostgreSQL expands `SELECT *` when a view is created, so the view is
            // made again after the columns are added.
            try connection.execute("DROP VIEW IF EXISTS \(view.quoted)", [])
            for column in columns {
                try connection.execute(
                    "ALTER TABLE \(table.quoted) ADD COLUMN \(column.column.quoted) \(ReadModelTable.sqlType(column.storage, dialect: connection.dialect))",
                    [])
            }
            for statement in ReadModelTable.indexStatements(
                entity, table: table, only: Set(names), dialect: connection.dialect)
            {
                try connection.execute(statement, [])
            }
            try connection.execute("CREATE VIEW \(view.quoted) AS SELECT * FROM \(table.quoted)", [])
            try Self.saveEntity(entityDeclaration, view: view, in: connection)
        }
        // After the commit: batches from now on write the new columns. Events that carry them are
        // only appended once the engine serves the new schema, which happens after this returns.
        registry.byTable.withLock { $0[table.name] }?.replace(entity: entity, decoder: decoder)
        registry.next.withLock { $0 = ProjectorShape(entity: entity, decoder: decoder) }
    }

    /// The progress of a running rebuild (the new version's runner), or nil when none runs.
    var rebuildHealth: ProjectionHealth? { blueGreen.rebuildRunner?.health() }

    /// Builds a new version from the log with `entity`'s shape and swaps it in.
    func rebuild(entity: EntityModel, decoder: ContentEventDecoder) async throws {
        registry.next.withLock { $0 = ProjectorShape(entity: entity, decoder: decoder) }
        try await blueGreen.rebuild()
        let view = entity.view
        let declaration = entity.entity
        try await database.writeTransaction { connection in try Self.saveEntity(declaration, view: view, in: connection) }
    }

    /// Updates the decoder (upcasters, other entities) of the live projector without changing columns.
    func refresh(entity: EntityModel, decoder: ContentEventDecoder) async throws {
        let table = try blueGreen.table(version: blueGreen.liveVersion)
        registry.byTable.withLock { $0[table.name] }?.replace(entity: entity, decoder: decoder)
        registry.next.withLock { $0 = ProjectorShape(entity: entity, decoder: decoder) }
        let view = entity.view
        let declaration = entity.entity
        try await database.writeTransaction { connection in try Self.saveEntity(declaration, view: view, in: connection) }
    }

    /// Waits until the live read model has applied everything up to `position`, following the
    /// swap of a rebuild.
    func waitUntilApplied(_ position: Int64, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            guard let runner = blueGreen.runner else { throw ContentError.notRunning }
            do {
                try await runner.waitUntilCaughtUp(to: position, timeout: deadline - .now)
                return
            } catch ProjectionError.stopped {
                // A rebuild swapped the runner, or the engine stopped.
                if blueGreen.runner === runner || ContinuousClock.now >= deadline { throw ContentError.notRunning }
                try await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    func stop() async { await blueGreen.stop() }
}

/// The shape the next projector is made with (a rebuild sets it before building), and each version
/// table's shape, so an in-place migration widens the live projector.
final class ShapeRegistry: Sendable {
    let next: Mutex<ProjectorShape>
    let byTable = Mutex<[String: ProjectorShape]>([:])

    init(_ shape: ProjectorShape) { next = Mutex(shape) }
}
