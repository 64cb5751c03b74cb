import Foundation

/// Dedicated threads that run blocking jobs from one shared queue, each thread with a resource of
/// its own: the one pool type behind SQLite's connections, the PostgreSQL seam's connections and
/// password hashing.
///
/// This is how blocking work stays off Swift's cooperative thread pool: an async caller enqueues a
/// job and suspends on a continuation; a thread of the pool runs the job with its resource and
/// resumes the caller — one hand-off to the pool and one back per job.
///
/// Invariants:
/// - A resource is used by its own thread alone from `init` on (a SQLite connection must never be
///   used by two threads at once); it is handed to `onExit` and released on that thread when the
///   pool closes.
/// - With one thread, jobs run strictly in submission order.
/// - After ``close(wait:)``, no job is accepted; jobs already queued still run.
/// - With a `queueLimit`, at most that many jobs wait for a thread; more are refused at once.
package final class BlockingThreads<Resource>: Sendable {
    /// A job: runs on a pool thread with that thread's resource.
    package typealias Job = @Sendable (Resource) -> Void

    /// Why a job was not accepted.
    package enum Refusal: Sendable, Hashable {
        /// The pool was closed.
        case closed
        /// `waiting` jobs already wait for a thread, which is the pool's `limit`.
        case overloaded(waiting: Int, limit: Int)
    }

    /// Guarded by `condition`.
    private struct State {
        var jobs: [Job] = []
        var head = 0
        var isClosed = false
        /// Threads not yet ended.
        var alive = 0
        /// Jobs running now (counted only when there is a queue limit, to keep the hot path lean).
        var busy = 0
    }

    /// The number of threads, which is the number of jobs that run at once.
    package let threadCount: Int
    /// The largest number of jobs that may wait for a thread, or nil for no limit.
    package let queueLimit: Int?

    private let condition = NSCondition()
    // Only touched while `condition` is locked; that lock is what makes the class Sendable.
    nonisolated(unsafe) private var state = State()

    /// Starts one thread per resource, named `name0`, `name1`, … (see ``currentThreadName()``).
    ///
    /// - Parameters:
    ///   - stackSize: each thread's stack in bytes, or nil for the system's default.
    ///   - queueLimit: the largest number of jobs that may wait for a thread (nil: no limit).
    ///   - onExit: called on each thread with its resource when the pool has closed and drained,
    ///     just before the thread releases the resource and ends.
    package init(
        name: String, resources: [Resource], stackSize: Int? = nil, queueLimit: Int? = nil,
        onExit: (@Sendable (Resource) -> Void)? = nil
    ) {
        precondition(!resources.isEmpty, "a pool needs at least one thread")
        threadCount = resources.count
        self.queueLimit = queueLimit.map { max(0, $0) }
        state.alive = resources.count
        for (index, resource) in resources.enumerated() {
            // The resource moves to its thread and is never touched elsewhere again.
            nonisolated(unsafe) let owned = resource
            let thread = Thread { [self] in
                nameCurrentThread("\(name)\(index)")
                self.work(owned, onExit: onExit)
            }
            if let stackSize { thread.stackSize = stackSize }
            thread.start()
        }
    }

    /// Enqueues `job`; it runs on one of the pool's threads. Returns nil when accepted, else why not.
    package func enqueue(_ job: @escaping Job) -> Refusal? {
        condition.lock()
        defer { condition.unlock() }
        guard !state.isClosed else { return .closed }
        if let queueLimit {
            // Jobs beyond the threads wait; at most `queueLimit` of them.
            let waiting = state.jobs.count - state.head + state.busy - threadCount
            if waiting >= queueLimit { return .overloaded(waiting: waiting, limit: queueLimit) }
        }
        state.jobs.append(job)
        condition.signal()
        return nil
    }

    /// Enqueues `job` without waiting for it. Returns false when it was refused (closed, or overloaded).
    @discardableResult
    package func submit(_ job: @escaping Job) -> Bool {
        enqueue(job) == nil
    }

    /// Runs `body` with a resource on a pool thread and returns its result (or throws its error).
    ///
    /// - Parameter refused: the error to throw when the pool does not accept the job.
    package func run<T: Sendable>(
        _ body: @escaping @Sendable (Resource) throws -> T, refused: (Refusal) -> any Error
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let refusal = enqueue { resource in
                continuation.resume(with: Result { try body(resource) })
            }
            if let refusal { continuation.resume(throwing: refused(refusal)) }
        }
    }

    /// Refuses new jobs, lets queued ones finish, then ends every thread (which runs `onExit` and
    /// releases its resource). Safe to call more than once.
    ///
    /// With `wait`, blocks until the threads are gone; never wait from one of the pool's own threads.
    package func close(wait: Bool) {
        condition.lock()
        state.isClosed = true
        condition.broadcast()
        while wait && state.alive > 0 { condition.wait() }
        condition.unlock()
    }

    private func work(_ resource: Resource, onExit: (@Sendable (Resource) -> Void)?) {
        var resource: Resource? = resource
        let countsBusy = queueLimit != nil
        var finishedJob = false
        while true {
            condition.lock()
            // The previous job's end is counted under the lock taken for the next one: one lock per job.
            if finishedJob { state.busy -= 1 }
            finishedJob = false
            while state.head == state.jobs.count && !state.isClosed { condition.wait() }
            if state.head == state.jobs.count {
                // Closed and drained: let go of the resource before reporting that this thread ended.
                condition.unlock()
                if let resource, let onExit { onExit(resource) }
                resource = nil
                condition.lock()
                state.alive -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = state.jobs[state.head]
            state.head += 1
            if state.head == state.jobs.count {
                state.jobs.removeAll(keepingCapacity: true)
                state.head = 0
            } else if state.head > 1024 && state.head * 2 > state.jobs.count {
                state.jobs.removeFirst(state.head)
                state.head = 0
            }
            if countsBusy {
                state.busy += 1
                finishedJob = true
            }
            condition.unlock()
            if let resource { job(resource) }
        }
    }
}

extension BlockingThreads where Resource == Void {
    /// Starts `threadCount` threads (at least one) that need no resource of their own.
    package convenience init(name: String, threadCount: Int, stackSize: Int? = nil, queueLimit: Int? = nil) {
        self.init(
            name: name, resources: Array(repeating: (), count: max(1, threadCount)), stackSize: stackSize,
            queueLimit: queueLimit)
    }
}

/// Names the calling thread for debuggers and `top -H`, and records the name where
/// ``currentThreadName()`` finds it.
package func nameCurrentThread(_ name: String) {
    Thread.current.name = String(name.prefix(15))
    Thread.current.threadDictionary[threadNameKey] = name
}

private let threadNameKey = "atomo.blocking-threads.name"

/// The name given to the calling thread by its ``BlockingThreads`` pool, or "" for any other thread.
package func currentThreadName() -> String {
    Thread.current.threadDictionary[threadNameKey] as? String ?? ""
}
