import Synchronization

/// Wakes the tasks waiting for a session to end: long-lived connections (websockets) wait on it so
/// that a logout, a revocation, a disabled user or a role change closes them at once instead of at
/// their next message.
///
/// In-process: ``Authenticator`` signals every session it ends. A connection also re-checks its
/// session on each message, so an end recorded by another node is caught at the next message or at
/// the token's expiry.
final class SessionEndSignal: Sendable {
    private struct Waiters: ~Copyable {
        var next: UInt64 = 0
        var bySession: [String: [UInt64: CheckedContinuation<SessionEndReason?, Never>]] = [:]
    }

    private let waiters = Mutex(Waiters())

    /// Returns when ``signal(_:reason:)`` is called for `sessionID`, with its reason; nil when the
    /// task is cancelled first. Once the waiter is registered, `check` runs (it finds a session that
    /// ended before, or on another node); a reason from it signals the session.
    func wait(
        for sessionID: String, check: @escaping @Sendable () async -> SessionEndReason?
    ) async -> SessionEndReason? {
        let id = waiters.withLock { waiters in
            defer { waiters.next += 1 }
            return waiters.next
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let cancelled = waiters.withLock { waiters -> Bool in
                    if Task.isCancelled { return true }
                    waiters.bySession[sessionID, default: [:]][id] = continuation
                    return false
                }
                if cancelled {
                    continuation.resume(returning: nil)
                    return
                }
                Task { if let reason = await check() { self.signal(sessionID, reason: reason) } }
            }
        } onCancel: {
            let continuation = waiters.withLock { waiters -> CheckedContinuation<SessionEndReason?, Never>? in
                let removed = waiters.bySession[sessionID]?.removeValue(forKey: id)
                if waiters.bySession[sessionID]?.isEmpty == true { waiters.bySession[sessionID] = nil }
                return removed
            }
            continuation?.resume(returning: nil)
        }
    }

    /// Wakes every task waiting for `sessionID`.
    func signal(_ sessionID: String, reason: SessionEndReason) {
        let woken = waiters.withLock { $0.bySession.removeValue(forKey: sessionID) } ?? [:]
        for continuation in woken.values { continuation.resume(returning: reason) }
    }

    /// How many tasks are waiting (for tests).
    var waitingCount: Int { waiters.withLock { $0.bySession.values.reduce(0) { $0 + $1.count } } }
}
