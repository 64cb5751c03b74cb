public import Foundation
import Synchronization

/// A ``SessionStore`` in memory, for one process and for tests. Lookups take a lock and no I/O.
///
/// ```swift
/// let sessions = InMemorySessionStore()
/// let auth = Authenticator(…, sessions: sessions, …)
/// ```
public final class InMemorySessionStore: SessionStore {
    private struct RefreshEntry {
        var sessionID: String
        var used: Bool
    }

    private struct State {
        var sessions: [String: Session] = [:]
        var byUser: [String: Set<String>] = [:]
        var refreshTokens: [RefreshTokenHash: RefreshEntry] = [:]
    }

    private let state = Mutex(State())

    /// Creates an empty store.
    public init() {}

    /// Stores a new session with its first refresh token.
    public func create(_ session: Session, refreshToken: RefreshTokenHash) async throws {
        try state.withLock { state throws(SessionStoreError) in
            guard state.sessions[session.id] == nil else { throw .duplicateSession(id: session.id) }
            state.sessions[session.id] = session
            state.byUser[session.userID, default: []].insert(session.id)
            state.refreshTokens[refreshToken] = RefreshEntry(sessionID: session.id, used: false)
        }
    }

    /// The session with `id`, or nil.
    public func session(id: String) async throws -> Session? {
        state.withLock { $0.sessions[id] }
    }

    /// Ends session `sessionID` if it is active.
    public func end(sessionID: String, reason: SessionEndReason, at date: Date) async throws -> Session? {
        state.withLock { state in Self.end(sessionID, reason: reason, at: date, in: &state) }
    }

    /// The stored sessions of `userID`, newest first, at most `limit`.
    public func sessions(userID: String, limit: Int) async throws -> [Session] {
        state.withLock { state in
            let sessions = (state.byUser[userID] ?? []).compactMap { state.sessions[$0] }
            return Array(
                sessions.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }.prefix(max(limit, 0)))
        }
    }

    /// Ends every active session of `userID`.
    public func endAll(userID: String, reason: SessionEndReason, at date: Date) async throws -> [Session] {
        state.withLock { state in
            (state.byUser[userID] ?? []).sorted().compactMap { id in Self.end(id, reason: reason, at: date, in: &state)
            }
        }
    }

    /// Rotates a refresh token, detecting reuse.
    public func rotateRefreshToken(
        _ presented: RefreshTokenHash, to next: RefreshTokenHash, at date: Date
    ) async throws
        -> RefreshRotation
    {
        state.withLock { state in
            guard let entry = state.refreshTokens[presented], let session = state.sessions[entry.sessionID] else {
                return .unknown
            }
            guard session.isActive(at: date) else { return .sessionInactive(session) }
            if entry.used {
                let ended = Self.end(session.id, reason: .refreshTokenReused, at: date, in: &state) ?? session
                return .reuseDetected(ended)
            }
            state.refreshTokens[presented]?.used = true
            state.refreshTokens[next] = RefreshEntry(sessionID: session.id, used: false)
            return .rotated(session)
        }
    }

    /// Deletes sessions that ended or expired before `date`.
    public func deleteInactive(before date: Date) async throws -> Int {
        state.withLock { state in
            let doomed = state.sessions.values.filter { session in
                (session.endedAt.map { $0 < date } ?? false) || session.expiresAt < date
            }
            let ids = Set(doomed.map(\.id))
            for session in doomed {
                state.sessions[session.id] = nil
                state.byUser[session.userID]?.remove(session.id)
                if state.byUser[session.userID]?.isEmpty == true { state.byUser[session.userID] = nil }
            }
            state.refreshTokens = state.refreshTokens.filter { !ids.contains($0.value.sessionID) }
            return doomed.count
        }
    }

    private static func end(_ id: String, reason: SessionEndReason, at date: Date, in state: inout State) -> Session? {
        guard var session = state.sessions[id], session.isActive(at: date) else { return nil }
        session.endedAt = date
        session.endReason = reason
        state.sessions[id] = session
        return session
    }
}
