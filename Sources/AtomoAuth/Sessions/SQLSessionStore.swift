public import AtomoSQL
public import Foundation

/// A ``SessionStore`` in any `SQLDatabase`: SQLite (`SQLiteDatabase`, embedded) or PostgreSQL
/// (AtomoPostgres's `PostgresSQLDatabase`, shared by many server processes). The SQL is written once.
///
/// The session check on every request is one primary-key lookup in a read transaction, which runs on
/// the database's own threads (never the cooperative pool). Refresh-token rotation is a
/// compare-and-set (`UPDATE … WHERE used_at IS NULL`), so two concurrent uses of one token cannot
/// both succeed, on SQLite or PostgreSQL.
///
/// ```swift
/// let database = try SQLiteDatabase(path: "auth.sqlite")
/// let sessions = SQLSessionStore(database: database)
/// try await sessions.migrate()
/// ```
public final class SQLSessionStore: SessionStore {
    /// The database the tables live in.
    public let database: any SQLDatabase

    /// A store over `database`; call ``migrate()`` once before use.
    public init(database: any SQLDatabase) {
        self.database = database
    }

    /// Creates or upgrades AtomoAuth's tables (idempotent).
    public func migrate() async throws {
        try await AuthSQLSchema.migrate(database)
    }

    private static let columns = "id, user_id, tenant, created_at, expires_at, ended_at, end_reason"

    /// Stores a new session with its first refresh token.
    public func create(_ session: Session, refreshToken: RefreshTokenHash) async throws {
        try await database.writeTransaction { connection in
            let p = connection.dialect.placeholder
            let existing = try connection.query(
                "SELECT 1 FROM atomo_auth_sessions WHERE id = \(p(1))", [.text(session.id)])
            guard existing.isEmpty else { throw SessionStoreError.duplicateSession(id: session.id) }
            try connection.execute(
                """
                INSERT INTO atomo_auth_sessions (\(Self.columns))
                VALUES (\(p(1)), \(p(2)), \(p(3)), \(p(4)), \(p(5)), \(p(6)), \(p(7)))
                """, Self.values(session))
            try connection.execute(
                "INSERT INTO atomo_auth_refresh_tokens (token_hash, session_id, issued_at) VALUES (\(p(1)), \(p(2)), \(p(3)))",
                [.text(refreshToken.hex), .text(session.id), .integer(session.createdAt.microsecondsSince1970)])
        }
    }

    /// The stored sessions of `userID`, newest first, at most `limit` (an index on `user_id` finds them).
    public func sessions(userID: String, limit: Int) async throws -> [Session] {
        guard limit > 0 else { return [] }
        return try await database.readTransaction { connection in
            let p = connection.dialect.placeholder
            return try connection.query(
                """
                SELECT \(Self.columns) FROM atomo_auth_sessions WHERE user_id = \(p(1))
                ORDER BY created_at DESC, id DESC LIMIT \(p(2))
                """, [.text(userID), .integer(Int64(limit))]
            )
            .map(Self.session(from:))
        }
    }

    /// The session with `id`, or nil.
    public func session(id: String) async throws -> Session? {
        try await database.readTransaction { connection in
            let p = connection.dialect.placeholder
            return try connection.query(
                "SELECT \(Self.columns) FROM atomo_auth_sessions WHERE id = \(p(1))", [.text(id)]
            )
            .first.map(Self.session(from:))
        }
    }

    /// Ends session `sessionID` if it is active.
    public func end(sessionID: String, reason: SessionEndReason, at date: Date) async throws -> Session? {
        try await database.writeTransaction { connection in
            let p = connection.dialect.placeholder
            return try connection.query(
                """
                UPDATE atomo_auth_sessions SET ended_at = \(p(1)), end_reason = \(p(2))
                WHERE id = \(p(3)) AND ended_at IS NULL AND expires_at > \(p(1))
                RETURNING \(Self.columns)
                """, [.integer(date.microsecondsSince1970), .text(reason.rawValue), .text(sessionID)]
            ).first.map(Self.session(from:))
        }
    }

    /// Ends every active session of `userID`.
    public func endAll(userID: String, reason: SessionEndReason, at date: Date) async throws -> [Session] {
        try await database.writeTransaction { connection in
            let p = connection.dialect.placeholder
            return try connection.query(
                """
                UPDATE atomo_auth_sessions SET ended_at = \(p(1)), end_reason = \(p(2))
                WHERE user_id = \(p(3)) AND ended_at IS NULL AND expires_at > \(p(1))
                RETURNING \(Self.columns)
                """, [.integer(date.microsecondsSince1970), .text(reason.rawValue), .text(userID)]
            ).map(Self.session(from:)).sorted { $0.id < $1.id }
        }
    }

    /// Rotates a refresh token, detecting reuse.
    public func rotateRefreshToken(
        _ presented: RefreshTokenHash, to next: RefreshTokenHash, at date: Date
    ) async throws
        -> RefreshRotation
    {
        try await database.writeTransaction { connection in
            let p = connection.dialect.placeholder
            let now = Int64(date.microsecondsSince1970)
            guard
                let row = try connection.query(
                    """
                    SELECT t.used_at AS token_used_at, s.id, s.user_id, s.tenant, s.created_at, s.expires_at,
                           s.ended_at, s.end_reason
                    FROM atomo_auth_refresh_tokens t JOIN atomo_auth_sessions s ON s.id = t.session_id
                    WHERE t.token_hash = \(p(1))
                    """, [.text(presented.hex)]
                ).first
            else { return .unknown }
            let session = try Self.session(from: row)
            guard session.isActive(at: date) else { return .sessionInactive(session) }
            // Compare-and-set: only the first presentation of a token marks it used.
            let claimed =
                row["token_used_at"] == .null
                ? try connection.execute(
                    "UPDATE atomo_auth_refresh_tokens SET used_at = \(p(1)) WHERE token_hash = \(p(2)) AND used_at IS NULL",
                    [.integer(now), .text(presented.hex)]) : 0
            guard claimed == 1 else {
                let ended = try connection.query(
                    """
                    UPDATE atomo_auth_sessions SET ended_at = \(p(1)), end_reason = \(p(2))
                    WHERE id = \(p(3)) AND ended_at IS NULL
                    RETURNING \(Self.columns)
                    """, [.integer(now), .text(SessionEndReason.refreshTokenReused.rawValue), .text(session.id)]
                ).first.map(Self.session(from:))
                return .reuseDetected(ended ?? session)
            }
            try connection.execute(
                "INSERT INTO atomo_auth_refresh_tokens (token_hash, session_id, issued_at) VALUES (\(p(1)), \(p(2)), \(p(3)))",
                [.text(next.hex), .text(session.id), .integer(now)])
            return .rotated(session)
        }
    }

    /// Deletes sessions that ended or expired before `date`, with their refresh tokens.
    public func deleteInactive(before date: Date) async throws -> Int {
        try await database.writeTransaction { connection in
            let p = connection.dialect.placeholder
            let condition = "(ended_at IS NOT NULL AND ended_at < \(p(1))) OR expires_at < \(p(1))"
            try connection.execute(
                "DELETE FROM atomo_auth_refresh_tokens WHERE session_id IN (SELECT id FROM atomo_auth_sessions WHERE \(condition))",
                [.integer(date.microsecondsSince1970)])
            return try connection.execute(
                "DELETE FROM atomo_auth_sessions WHERE \(condition)", [.integer(date.microsecondsSince1970)])
        }
    }

    private static func values(_ session: Session) -> [SQLValue] {
        [
            .text(session.id), .text(session.userID), session.tenant.map(SQLValue.text) ?? .null,
            .integer(session.createdAt.microsecondsSince1970), .integer(session.expiresAt.microsecondsSince1970),
            session.endedAt.map { .integer($0.microsecondsSince1970) } ?? .null,
            session.endReason.map { .text($0.rawValue) } ?? .null,
        ]
    }

    private static func session(from row: SQLRow) throws -> Session {
        guard let id = row["id"].text, let userID = row["user_id"].text, let created = row["created_at"].integer,
            let expires = row["expires_at"].integer
        else { throw SessionStoreError.corrupted("a session row lacks id, user_id, created_at or expires_at") }
        var reason: SessionEndReason?
        if let text = row["end_reason"].text {
            guard let parsed = SessionEndReason(rawValue: text) else {
                throw SessionStoreError.corrupted("unknown end reason \(text) for session \(id)")
            }
            reason = parsed
        }
        return Session(
            id: id, userID: userID, tenant: row["tenant"].text, createdAt: Date(microsecondsSince1970: created),
            expiresAt: Date(microsecondsSince1970: expires),
            endedAt: row["ended_at"].integer.map(Date.init(microsecondsSince1970:)),
            endReason: reason)
    }
}
