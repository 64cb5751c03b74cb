public import Foundation

/// Where sessions and their refresh tokens live: checked on every request, so that logout and
/// revocation take effect at once.
///
/// Implementations: ``InMemorySessionStore`` (one process, tests) and ``SQLSessionStore`` (any
/// `SQLDatabase`: SQLite embedded, or PostgreSQL through AtomoPostgres's `PostgresSQLDatabase`,
/// shared by many server processes).
///
/// The contract:
/// - ``session(id:)`` returns the session as last written, ended or not; callers check
///   ``Session/isActive(at:)``.
/// - ``end(sessionID:reason:at:)`` and ``endAll(userID:reason:at:)`` change only active sessions and
///   return the ones they ended.
/// - ``rotateRefreshToken(_:to:at:)`` is atomic: of two concurrent rotations of one token, one
///   rotates and the other detects reuse (and ends the session).
public protocol SessionStore: Sendable {
    /// Stores a new session with its first refresh token.
    /// - Throws: ``SessionStoreError/duplicateSession(id:)`` when the id exists.
    func create(_ session: Session, refreshToken: RefreshTokenHash) async throws

    /// The session with `id`, or nil.
    func session(id: String) async throws -> Session?

    /// The stored sessions of `userID`, ended or not, newest first (by creation time, then id), at most
    /// `limit` of them. Sessions removed by ``deleteInactive(before:)`` are gone.
    func sessions(userID: String, limit: Int) async throws -> [Session]

    /// Ends session `sessionID` if it is active; returns it as ended, or nil when it was not active.
    func end(sessionID: String, reason: SessionEndReason, at date: Date) async throws -> Session?

    /// Ends every active session of `userID`; returns them as ended.
    func endAll(userID: String, reason: SessionEndReason, at date: Date) async throws -> [Session]

    /// Presents refresh token `presented`; when it is its session's current token and the session is
    /// active, replaces it by `next`. A token presented a second time ends its session.
    func rotateRefreshToken(
        _ presented: RefreshTokenHash, to next: RefreshTokenHash, at date: Date
    ) async throws
        -> RefreshRotation

    /// Deletes sessions (and their refresh tokens) that ended or expired before `date`; returns how many.
    func deleteInactive(before date: Date) async throws -> Int
}
