import AtomoSQL
import Foundation

/// The tables of AtomoAuth, created and versioned by its own code, idempotently, on SQLite and on
/// PostgreSQL (one SQL text for both: `TEXT`, `BIGINT`, `?n`/`$n` placeholders).
///
/// Times are stored as microseconds since 1970 in `BIGINT` columns.
enum AuthSQLSchema {
    static let migrationsTable = "atomo_auth_migrations"

    /// Each migration is a list of statements; its index + 1 is its version. Never edit a released
    /// migration: add a new one.
    static let migrations: [[String]] = [
        // 1: credentials — the secrets of users, kept out of the event log.
        [
            """
            CREATE TABLE IF NOT EXISTS atomo_auth_credentials (
                user_id TEXT PRIMARY KEY,
                email_key TEXT NOT NULL UNIQUE,
                password_hash TEXT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """
        ],
        // 2: sessions and their refresh tokens (hashes only).
        [
            """
            CREATE TABLE IF NOT EXISTS atomo_auth_sessions (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL,
                tenant TEXT,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                ended_at BIGINT,
                end_reason TEXT
            )
            """,
            "CREATE INDEX IF NOT EXISTS atomo_auth_sessions_user ON atomo_auth_sessions (user_id)",
            """
            CREATE TABLE IF NOT EXISTS atomo_auth_refresh_tokens (
                token_hash TEXT PRIMARY KEY,
                session_id TEXT NOT NULL REFERENCES atomo_auth_sessions (id) ON DELETE CASCADE,
                issued_at BIGINT NOT NULL,
                used_at BIGINT
            )
            """,
            "CREATE INDEX IF NOT EXISTS atomo_auth_refresh_tokens_session ON atomo_auth_refresh_tokens (session_id)",
        ],
    ]

    /// Brings `database` to the latest version. Safe to call from several stores and processes:
    /// a migrator that loses a race to another finds the version recorded and stops.
    static func migrate(_ database: any SQLDatabase) async throws {
        do {
            try await database.writeTransaction { connection in try apply(connection) }
        } catch {
            let current = try await database.readTransaction { connection in try version(connection) }
            if current < migrations.count { throw error }
        }
    }

    private static func apply(_ connection: any SQLConnection) throws {
        try connection.execute(
            "CREATE TABLE IF NOT EXISTS \(migrationsTable) (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)", []
        )
        let current = try version(connection)
        let p = connection.dialect.placeholder
        for index in current..<migrations.count {
            for statement in migrations[index] { try connection.execute(statement, []) }
            try connection.execute(
                "INSERT INTO \(migrationsTable) (version, applied_at) VALUES (\(p(1)), \(p(2)))",
                [.integer(Int64(index + 1)), .integer(Date().microsecondsSince1970)])
        }
    }

    private static func version(_ connection: any SQLConnection) throws -> Int {
        guard try connection.tableExists(migrationsTable) else { return 0 }
        return Int(try connection.scalar("SELECT COALESCE(MAX(version), 0) FROM \(migrationsTable)") ?? 0)
    }
}

extension Date {
    /// Microseconds since 1970, rounded to the nearest (so that a stored date reads back equal).
    var microsecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1_000_000).rounded()) }

    /// The date `microseconds` after 1970.
    init(microsecondsSince1970 microseconds: Int64) {
        self.init(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }
}
