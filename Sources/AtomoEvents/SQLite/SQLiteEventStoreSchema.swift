import AtomoSQLite

/// The SQLite event store's tables, created and migrated idempotently.
///
/// - `atomo_streams`: one row per stream, holding its current version, so an append checks its
///   expected version with one indexed lookup.
/// - `atomo_events`: the log. `position` is the rowid: SQLite assigns max(rowid) + 1 on insert, and
///   events are never deleted, so positions increase strictly and — because a rolled-back insert
///   frees its rowid before anyone could see it — without gaps.
/// - Event ids are 16-byte BLOBs under a unique index (idempotent appends); time-ordered ids keep
///   that index append-mostly.
enum SQLiteEventStoreSchema {
    static let module = "events"
    static let currentVersion: Int64 = 1

    static func migrate(_ connection: SQLiteConnection) throws {
        try connection.transaction(.immediate) { () throws in
            try connection.execute(
                "CREATE TABLE IF NOT EXISTS atomo_migrations (module TEXT PRIMARY KEY, version INTEGER NOT NULL)")
            let version = try connection.scalarInt64("SELECT version FROM atomo_migrations WHERE module = ?1", [module]) ?? 0
            if version > currentVersion {
                throw EventStoreError.storageFailure(
                    "the event store schema is version \(version), newer than this library's \(currentVersion)")
            }
            if version < 1 {
                try connection.execute(
                    """
                    CREATE TABLE atomo_streams (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        category TEXT NOT NULL,
                        version INTEGER NOT NULL
                    );
                    CREATE INDEX atomo_streams_by_category ON atomo_streams (category);
                    CREATE TABLE atomo_events (
                        position INTEGER PRIMARY KEY,
                        event_id BLOB NOT NULL,
                        stream_id INTEGER NOT NULL,
                        stream_version INTEGER NOT NULL,
                        type TEXT NOT NULL,
                        schema_version INTEGER NOT NULL,
                        payload BLOB NOT NULL,
                        correlation_id TEXT,
                        causation_id TEXT,
                        actor TEXT,
                        tenant TEXT,
                        custom TEXT,
                        committed_at INTEGER NOT NULL
                    );
                    CREATE UNIQUE INDEX atomo_events_by_id ON atomo_events (event_id);
                    CREATE UNIQUE INDEX atomo_events_by_stream ON atomo_events (stream_id, stream_version);
                    INSERT INTO atomo_migrations (module, version) VALUES ('events', 1)
                        ON CONFLICT (module) DO UPDATE SET version = excluded.version;
                    """)
            }
        }
    }
}
