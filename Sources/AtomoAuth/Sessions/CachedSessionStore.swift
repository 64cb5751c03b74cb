public import Foundation
import Synchronization

/// A ``SessionStore`` that keeps recently checked sessions in memory in front of another store
/// (typically ``SQLSessionStore``), so the check on every request is a dictionary lookup instead of a
/// database read.
///
/// Changes made **through this store** — logout, revoke-all, refresh-token reuse — update the cache
/// at once, so in one process revocation stays immediate. Changes made by **other processes** on a
/// shared database are seen once a cached entry is older than ``maximumStaleness`` (default 5
/// seconds): use it where a revocation elsewhere may take that long to reach this server, or leave
/// the SQL store uncached. Expiry is always exact (the session's `expiresAt` is checked by the caller).
///
/// ```swift
/// let sessions = CachedSessionStore(SQLSessionStore(database: database), maximumStaleness: .seconds(5))
/// ```
public final class CachedSessionStore: SessionStore {
    private struct Entry {
        var session: Session
        var fetchedAt: ContinuousClock.Instant
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Bumped by every change made through this store; a read that started before a change does
        /// not put what it read into the cache (it may predate the change).
        var generation: UInt64 = 0
    }

    /// The store behind the cache.
    public let base: any SessionStore
    /// How old a cached session may be before it is read again.
    public let maximumStaleness: Duration
    /// The most sessions kept; when full, the cache is emptied.
    public let capacity: Int
    private let state = Mutex(State())

    /// A cache in front of `base`.
    public init(_ base: any SessionStore, maximumStaleness: Duration = .seconds(5), capacity: Int = 100_000) {
        self.base = base
        self.maximumStaleness = maximumStaleness
        self.capacity = max(1, capacity)
    }

    /// Stores a new session in the base store and caches it.
    public func create(_ session: Session, refreshToken: RefreshTokenHash) async throws {
        try await base.create(session, refreshToken: refreshToken)
        remember([session])
    }

    /// The session, from the cache when it was read less than ``maximumStaleness`` ago.
    public func session(id: String) async throws -> Session? {
        let now = ContinuousClock.now
        let (cached, generation) = state.withLock { state in (state.entries[id], state.generation) }
        if let cached, now - cached.fetchedAt < maximumStaleness { return cached.session }
        guard let session = try await base.session(id: id) else { return nil }
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[id] = Entry(session: session, fetchedAt: now)
        }
        return session
    }

    /// Ends the session in the base store and in the cache.
    public func end(sessionID: String, reason: SessionEndReason, at date: Date) async throws -> Session? {
        invalidate([sessionID])
        let ended = try await base.end(sessionID: sessionID, reason: reason, at: date)
        invalidate([sessionID])
        return ended
    }

    /// The stored sessions of `userID`, from the underlying store (a listing is not cached).
    public func sessions(userID: String, limit: Int) async throws -> [Session] {
        try await base.sessions(userID: userID, limit: limit)
    }

    /// Ends every active session of the user in the base store and in the cache.
    public func endAll(userID: String, reason: SessionEndReason, at date: Date) async throws -> [Session] {
        bumpGeneration()
        let ended = try await base.endAll(userID: userID, reason: reason, at: date)
        remember(ended)
        // Sessions of the user that were cached but not returned (already ended elsewhere) go too.
        state.withLock { state in
            state.generation &+= 1
            state.entries = state.entries.filter {
                $0.value.session.userID != userID || $0.value.session.endedAt != nil
            }
        }
        return ended
    }

    /// Rotates in the base store; a detected reuse ends the session in the cache too.
    public func rotateRefreshToken(
        _ presented: RefreshTokenHash, to next: RefreshTokenHash, at date: Date
    ) async throws
        -> RefreshRotation
    {
        bumpGeneration()
        let outcome = try await base.rotateRefreshToken(presented, to: next, at: date)
        switch outcome {
        case .reuseDetected(let session), .sessionInactive(let session): invalidate([session.id])
        case .rotated, .unknown: break
        }
        return outcome
    }

    /// Deletes in the base store and empties the cache.
    public func deleteInactive(before date: Date) async throws -> Int {
        let count = try await base.deleteInactive(before: date)
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
        }
        return count
    }

    private func remember(_ sessions: [Session]) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.generation &+= 1
            if state.entries.count + sessions.count > capacity { state.entries.removeAll(keepingCapacity: true) }
            for session in sessions { state.entries[session.id] = Entry(session: session, fetchedAt: now) }
        }
    }

    private func invalidate(_ ids: [String]) {
        state.withLock { state in
            state.generation &+= 1
            for id in ids { state.entries[id] = nil }
        }
    }

    private func bumpGeneration() {
        state.withLock { state in state.generation &+= 1 }
    }
}
