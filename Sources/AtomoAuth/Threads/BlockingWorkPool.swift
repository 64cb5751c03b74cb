import Foundation

/// A small fixed pool of dedicated threads for CPU-heavy or blocking work (argon2, bcrypt), with a
/// bounded queue.
///
/// Why not the cooperative pool: one argon2id hash at OWASP parameters keeps a core busy for tens of
/// milliseconds. Run there, a burst of logins would occupy every cooperative thread and stall all other
/// requests of the server. Here at most `threadCount` hashes run at once, whatever the load, and the
/// queue behind them is bounded: past `queueLimit` waiting jobs, new work fails at once with
/// ``PasswordHashError/overloaded(queued:limit:)`` instead of piling up memory and latency.
final class BlockingWorkPool: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var isClosed = false
        var running = 0
        var pending: Int { jobs.count - head }
    }

    /// The number of threads, which is the number of jobs that run at once.
    let threadCount: Int
    /// The largest number of jobs that may wait for a thread.
    let queueLimit: Int

    private let condition = NSCondition()
    // Only touched while `condition` is locked; that lock is what makes the class Sendable.
    nonisolated(unsafe) private var state = State()

    /// Starts `threadCount` threads named `name0`, `name1`, …
    init(name: String, threadCount: Int, queueLimit: Int) {
        self.threadCount = max(1, threadCount)
        self.queueLimit = max(0, queueLimit)
        for index in 0..<self.threadCount {
            let thread = Thread { [self] in self.work() }
            thread.name = "\(name)\(index)"
            // argon2's memory and bcrypt's crypt_data are allocated on the heap: a small stack does.
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    deinit { close() }

    /// Stops the threads once the queued jobs are done.
    func close() {
        condition.lock()
        state.isClosed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `body` on one of the pool's threads and returns its result.
    ///
    /// - Throws: ``PasswordHashError/overloaded(queued:limit:)`` when `queueLimit` jobs already wait,
    ///   ``PasswordHashError/closed`` when the pool was closed, or what `body` throws.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            condition.lock()
            if state.isClosed {
                condition.unlock()
                continuation.resume(throwing: PasswordHashError.closed)
                return
            }
            // Jobs beyond the threads wait; at most `queueLimit` of them.
            let waiting = state.pending + state.running - threadCount
            if waiting >= queueLimit {
                condition.unlock()
                continuation.resume(throwing: PasswordHashError.overloaded(queued: waiting, limit: queueLimit))
                return
            }
            state.jobs.append { continuation.resume(with: Result { try body() }) }
            condition.signal()
            condition.unlock()
        }
    }

    private func work() {
        while true {
            condition.lock()
            while state.pending == 0 && !state.isClosed { condition.wait() }
            if state.pending == 0 {
                condition.unlock()
                return
            }
            let job = state.jobs[state.head]
            state.head += 1
            if state.head == state.jobs.count {
                state.jobs.removeAll(keepingCapacity: true)
                state.head = 0
            }
            state.running += 1
            condition.unlock()
            job()
            condition.lock()
            state.running -= 1
            condition.unlock()
        }
    }
}
