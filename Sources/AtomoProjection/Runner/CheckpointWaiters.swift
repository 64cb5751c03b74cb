import Synchronization

/// The callers of ``ProjectionRunner/waitUntilCaughtUp(to:timeout:)``: continuations resumed when
/// the runner's checkpoint passes their position, failed when it parks or stops, or timed out.
///
/// Invariants, kept under one lock: the checkpoint a wait compares with is the one the runner last
/// published here (``advance(to:)``), so a wait registered just before an advance is resumed by it,
/// and one registered just after sees the new checkpoint. While ``block(_:)`` is in force (the runner
/// is parked) every wait fails at once with its error; after ``close(_:)`` (the runner stopped) for
/// good.
///
/// A deadline is kept with each wait, not a timer task per call: read-your-writes commands wait once
/// each, thousands of times a second, and a sleeping task per wait (with its timer, which stays
/// scheduled after a cancel) cost more than the wait itself. One task sleeps until the earliest
/// deadline among them.
final class CheckpointWaiters: Sendable {
    private struct Waiter {
        var id: Int
        var position: Int64
        /// When the wait times out; nil waits as long as it takes.
        var deadline: ContinuousClock.Instant?
        var continuation: CheckedContinuation<Void, any Error>
    }

    /// The one task that times out waits, sleeping until the earliest deadline among them.
    private struct TimeoutWatch {
        var task: Task<Void, Never>
        var until: ContinuousClock.Instant
        var generation: Int
    }

    private struct State {
        var checkpoint: Int64 = 0
        /// Fails every wait while set (parked); cleared by `unblock()`.
        var blocked: ProjectionError?
        /// Fails every wait from now on (stopped).
        var closed: ProjectionError?
        var waiters: [Waiter] = []
        var nextWaiterID = 0
        /// Waits that timed out or were cancelled before they were registered.
        var abandonedWaits: [Int: ProjectionError] = [:]
        var timeoutWatch: TimeoutWatch?
        var timeoutWatchGeneration = 0
    }

    private let name: String
    private let state = Mutex(State())

    init(name: String) { self.name = name }

    /// Returns once the published checkpoint has reached `position`.
    func wait(until position: Int64, timeout: Duration?) async throws {
        // Waits beyond a year count as unbounded, so the deadline cannot overflow.
        let deadline = timeout.flatMap { timeout in
            timeout < .seconds(31_536_000) ? ContinuousClock.now.advanced(by: max(timeout, .zero)) : nil
        }
        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        defer { _ = state.withLock { $0.abandonedWaits.removeValue(forKey: id) } }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let immediate = state.withLock { state -> Result<Void, any Error>? in
                    if state.checkpoint >= position { return .success(()) }
                    if let error = state.abandonedWaits.removeValue(forKey: id) { return .failure(error) }
                    if let error = state.closed ?? state.blocked { return .failure(error) }
                    if let deadline, deadline <= .now {
                        return .failure(
                            ProjectionError.timedOut(name: name, position: position, checkpoint: state.checkpoint))
                    }
                    state.waiters.append(
                        Waiter(id: id, position: position, deadline: deadline, continuation: continuation))
                    if let deadline { watchTimeouts(until: deadline, in: &state) }
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            self.fail(id, with: .stopped(name: self.name))
        }
    }

    /// Publishes the checkpoint and resumes every wait it covers. It may go down (a rebuild resets it to 0).
    func advance(to checkpoint: Int64) {
        let ready = state.withLock { state -> [Waiter] in
            state.checkpoint = checkpoint
            guard !state.waiters.isEmpty else { return [] }
            var ready: [Waiter] = []
            state.waiters.removeAll { waiter in
                guard waiter.position <= checkpoint else { return false }
                ready.append(waiter)
                return true
            }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// Fails every wait, and every new one until ``unblock()``, with `error` (the runner parked).
    func block(_ error: ProjectionError) {
        let failed = state.withLock { state -> [Waiter] in
            state.blocked = error
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in failed { waiter.continuation.resume(throwing: error) }
    }

    /// Lets waits wait again (the runner continues).
    func unblock() {
        state.withLock { $0.blocked = nil }
    }

    /// Fails every wait, now and from now on, with `error` (the runner stopped).
    func close(_ error: ProjectionError) {
        let failed = state.withLock { state -> [Waiter] in
            if state.closed == nil { state.closed = error }
            defer {
                state.waiters.removeAll()
                state.timeoutWatch?.task.cancel()
                state.timeoutWatch = nil
            }
            return state.waiters
        }
        for waiter in failed { waiter.continuation.resume(throwing: error) }
    }

    /// Makes sure the timeout watch wakes by `deadline` (called with the state locked).
    private func watchTimeouts(until deadline: ContinuousClock.Instant, in state: inout State) {
        if let watch = state.timeoutWatch {
            if watch.until <= deadline { return }
            watch.task.cancel()
        }
        state.timeoutWatchGeneration += 1
        let generation = state.timeoutWatchGeneration
        let task = Task { [weak self] in
            var until = deadline
            while true {
                try? await Task.sleep(until: until, clock: .continuous)
                guard let self else { return }
                guard let next = self.expireWaits(generation: generation) else { return }
                until = next
            }
        }
        state.timeoutWatch = TimeoutWatch(task: task, until: deadline, generation: generation)
    }

    /// Fails the waits whose deadline has passed; returns the next deadline, or nil when none is left
    /// (or a newer watch, for an earlier deadline, replaced the one of `generation`).
    private func expireWaits(generation: Int) -> ContinuousClock.Instant? {
        typealias Sweep = (expired: [(Waiter, ProjectionError)], next: ContinuousClock.Instant?)
        let (expired, next) = state.withLock { state -> Sweep in
            guard state.timeoutWatch?.generation == generation else { return ([], nil) }
            let now = ContinuousClock.now
            var expired: [(Waiter, ProjectionError)] = []
            var next: ContinuousClock.Instant?
            state.waiters.removeAll { waiter in
                guard let deadline = waiter.deadline else { return false }
                if deadline <= now {
                    let error = ProjectionError.timedOut(
                        name: name, position: waiter.position, checkpoint: state.checkpoint)
                    expired.append((waiter, error))
                    return true
                }
                next = min(next ?? deadline, deadline)
                return false
            }
            if let next {
                state.timeoutWatch?.until = next
            } else {
                state.timeoutWatch = nil
            }
            return (expired, next)
        }
        for (waiter, error) in expired { waiter.continuation.resume(throwing: error) }
        return next
    }

    /// Fails the wait `id`; when it is not registered yet, leaves the error for it to find.
    private func fail(_ id: Int, with failure: ProjectionError) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
                state.abandonedWaits[id] = failure
                return nil
            }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: failure)
    }
}
