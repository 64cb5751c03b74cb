import Foundation

/// Dedicated threads that each own one connection and run jobs from one shared queue.
///
/// This is how blocking SQLite calls stay off Swift's cooperative thread pool: an async caller
/// enqueues a job and suspends; a thread of this pool runs the job with its own connection and
/// resumes the caller. With one thread the jobs run strictly in submission order.
final class ConnectionThreads<Connection>: Sendable {
    typealias Job = @Sendable (Connection) -> Void

    /// Guarded by `condition`: the queue of jobs and whether the pool is shutting down.
    private struct QueueState {
        var jobs: [Job] = []
        var head = 0
        var isClosed = false
        var running = 0
    }

    private let condition = NSCondition()
    // Only touched while `condition` is locked; that lock is what makes the class Sendable.
    nonisolated(unsafe) private var queue = QueueState()

    /// Starts one thread per connection. Each connection is used by its thread alone from now on.
    init(name: String, connections: [Connection]) {
        queue.running = connections.count
        for (index, connection) in connections.enumerated() {
            // The connection moves to its thread and is never touched elsewhere again.
            nonisolated(unsafe) let owned = connection
            let thread = Thread { [self] in
                nameCurrentThread("\(name)\(index)")
                self.work(owned)
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
    }

    /// Enqueues `job`; it runs on one of the pool's threads. Returns false when the pool is closed.
    @discardableResult
    func submit(_ job: @escaping Job) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !queue.isClosed else { return false }
        queue.jobs.append(job)
        condition.signal()
        return true
    }

    /// Runs `body` with a connection on a pool thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = submit { connection in
                continuation.resume(with: Result { try body(connection) })
            }
            if !accepted { continuation.resume(throwing: SQLiteError.databaseClosed) }
        }
    }

    /// Lets queued jobs finish, then ends every thread (which releases its connection).
    ///
    /// With `wait`, blocks until the threads are gone; never wait from one of the pool's own threads.
    func close(wait: Bool) {
        condition.lock()
        queue.isClosed = true
        condition.broadcast()
        while wait && queue.running > 0 { condition.wait() }
        condition.unlock()
    }

    private func work(_ connection: Connection) {
        var connection: Connection? = connection
        while true {
            condition.lock()
            while queue.head == queue.jobs.count && !queue.isClosed { condition.wait() }
            if queue.head == queue.jobs.count {
                // Closed and drained: drop the connection before reporting that this thread ended.
                condition.unlock()
                connection = nil
                condition.lock()
                queue.running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = queue.jobs[queue.head]
            queue.head += 1
            if queue.head == queue.jobs.count {
                queue.jobs.removeAll(keepingCapacity: true)
                queue.head = 0
            } else if queue.head > 1024 && queue.head * 2 > queue.jobs.count {
                queue.jobs.removeFirst(queue.head)
                queue.head = 0
            }
            condition.unlock()
            if let connection { job(connection) }
        }
    }
}

/// Names the calling thread for debuggers and `top -H`, and records the name where
/// ``currentThreadName()`` finds it.
func nameCurrentThread(_ name: String) {
    Thread.current.name = String(name.prefix(15))
    Thread.current.threadDictionary[threadNameKey] = name
}

private let threadNameKey = "atomo.sqlite.thread-name"

/// The name given to the calling thread by its ``ConnectionThreads`` pool, or "" for any other thread.
package func currentThreadName() -> String {
    Thread.current.threadDictionary[threadNameKey] as? String ?? ""
}
