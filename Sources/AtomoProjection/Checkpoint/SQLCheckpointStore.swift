public import AtomoSQL
import Foundation

/// Checkpoints in a SQL database, written once against ``SQLDatabase`` so that the same code runs
/// on SQLite (`SQLiteDatabase`) and on PostgreSQL (AtomoPostgres's database).
///
/// Tables, created idempotently by ``createTables()``:
/// - `atomo_projection_checkpoints (name TEXT PRIMARY KEY, position BIGINT NOT NULL, updated_at BIGINT NOT NULL)`
///   — `updated_at` in microseconds since 1970;
/// - `atomo_projection_skipped_events (name, position, event_id, event_type, error, skipped_at)`,
///   keyed by `(name, position)`.
///
/// ``SQLProjector`` runners save the checkpoint with ``advance(_:from:to:in:)`` inside the
/// transaction that writes the read model. That save is a compare-and-set on the previous
/// position: if another runner moved the checkpoint, the transaction rolls back with
/// ``ProjectionError/checkpointConflict(name:expected:actual:)`` — so two runners of one
/// projector can never both apply a batch, even without a leadership lock.
///
/// ```swift
/// let database = try SQLiteDatabase(path: "app.sqlite")
/// let checkpoints = SQLCheckpointStore(database: database)
/// try await checkpoints.createTables()
/// let position = try await checkpoints.load("contacts")
/// ```
public struct SQLCheckpointStore: CheckpointStore {
    /// The database holding the checkpoints.
    public let database: any SQLDatabase

    /// Creates a store over `database`. Call ``createTables()`` once before use.
    public init(database: any SQLDatabase) {
        self.database = database
    }

    /// Creates the checkpoint tables if they do not exist.
    public func createTables() async throws {
        try await database.writeTransaction { connection in try Self.createTables(in: connection) }
    }

    /// Creates the checkpoint tables if they do not exist, inside an open transaction.
    public static func createTables(in connection: any SQLConnection) throws {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS atomo_projection_checkpoints (
                name TEXT PRIMARY KEY,
                position BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """, [])
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS atomo_projection_skipped_events (
                name TEXT NOT NULL,
                position BIGINT NOT NULL,
                event_id TEXT NOT NULL,
                event_type TEXT NOT NULL,
                error TEXT NOT NULL,
                skipped_at BIGINT NOT NULL,
                PRIMARY KEY (name, position)
            )
            """, [])
    }

    /// The checkpoint of `name`, 0 when none is stored.
    public func load(_ name: String) async throws -> Int64 {
        try await database.readTransaction { connection in try Self.load(name, in: connection) ?? 0 }
    }

    /// The checkpoint of `name` inside an open transaction, or nil when none is stored.
    public static func load(_ name: String, in connection: any SQLConnection) throws -> Int64? {
        let p = connection.dialect.placeholder
        return try connection.query(
            "SELECT position FROM atomo_projection_checkpoints WHERE name = \(p(1))", [.text(name)]
        ).first?[0].integer
    }

    /// Stores `position` as the checkpoint of `name`, unconditionally.
    public func save(_ name: String, position: Int64) async throws {
        try await database.writeTransaction { connection in try Self.save(name, position: position, in: connection) }
    }

    /// Stores `position` as the checkpoint of `name` inside an open transaction, unconditionally.
    public static func save(_ name: String, position: Int64, in connection: any SQLConnection) throws {
        let p = connection.dialect.placeholder
        try connection.execute(
            """
            INSERT INTO atomo_projection_checkpoints (name, position, updated_at) VALUES (\(p(1)), \(p(2)), \(p(3)))
            ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
            """, [.text(name), .integer(position), .integer(Self.now())])
    }

    /// Moves the checkpoint of `name` from `previous` to `position` inside an open transaction, as a
    /// compare-and-set.
    ///
    /// - Throws: ``ProjectionError/checkpointConflict(name:expected:actual:)`` when the stored
    ///   checkpoint is not `previous` (a missing row counts as 0).
    public static func advance(
        _ name: String, from previous: Int64, to position: Int64, in connection: any SQLConnection
    )
        throws
    {
        let p = connection.dialect.placeholder
        let changed = try connection.execute(
            """
            UPDATE atomo_projection_checkpoints SET position = \(p(1)), updated_at = \(p(2))
            WHERE name = \(p(3)) AND position = \(p(4))
            """, [.integer(position), .integer(Self.now()), .text(name), .integer(previous)])
        if changed == 1 { return }
        let actual = try load(name, in: connection)
        if actual == nil && previous == 0 {
            // No row yet counts as 0. Insert without overwriting, so that of two transactions that
            // both found no row (PostgreSQL, READ COMMITTED) only one can win.
            let inserted = try connection.execute(
                """
                INSERT INTO atomo_projection_checkpoints (name, position, updated_at) VALUES (\(p(1)), \(p(2)), \(p(3)))
                ON CONFLICT (name) DO NOTHING
                """, [.text(name), .integer(position), .integer(Self.now())])
            if inserted == 1 { return }
        }
        throw ProjectionError.checkpointConflict(name: name, expected: previous, actual: try load(name, in: connection))
    }

    /// Records a skipped event.
    public func recordSkipped(_ event: SkippedEvent) async throws {
        try await database.writeTransaction { connection in try Self.recordSkipped(event, in: connection) }
    }

    /// Records a skipped event inside an open transaction.
    public static func recordSkipped(_ event: SkippedEvent, in connection: any SQLConnection) throws {
        let p = connection.dialect.placeholder
        try connection.execute(
            """
            INSERT INTO atomo_projection_skipped_events (name, position, event_id, event_type, error, skipped_at)
            VALUES (\(p(1)), \(p(2)), \(p(3)), \(p(4)), \(p(5)), \(p(6)))
            ON CONFLICT (name, position) DO UPDATE SET error = excluded.error, skipped_at = excluded.skipped_at
            """,
            [
                .text(event.projector), .integer(event.position), .text(event.eventID.uuidString),
                .text(event.eventType), .text(event.error),
                .integer(Int64((event.skippedAt.timeIntervalSince1970 * 1_000_000).rounded())),
            ])
    }

    /// The events skipped by `name`, in position order.
    public func skippedEvents(_ name: String) async throws -> [SkippedEvent] {
        try await database.readTransaction { connection in
            let p = connection.dialect.placeholder
            return try connection.query(
                """
                SELECT position, event_id, event_type, error, skipped_at FROM atomo_projection_skipped_events
                WHERE name = \(p(1)) ORDER BY position
                """, [.text(name)]
            ).map { row in
                SkippedEvent(
                    projector: name, position: row[0].integer ?? 0,
                    eventID: row[1].text.flatMap(UUID.init(uuidString:))
                        ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                    eventType: row[2].text ?? "", error: row[3].text ?? "",
                    skippedAt: Date(timeIntervalSince1970: Double(row[4].integer ?? 0) / 1_000_000))
            }
        }
    }

    /// Removes the checkpoint and the skipped-event records of `name` inside an open transaction.
    public static func remove(_ name: String, in connection: any SQLConnection) throws {
        let p = connection.dialect.placeholder
        try connection.execute("DELETE FROM atomo_projection_checkpoints WHERE name = \(p(1))", [.text(name)])
        try connection.execute("DELETE FROM atomo_projection_skipped_events WHERE name = \(p(1))", [.text(name)])
    }

    private static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000_000).rounded()) }
}
