import Foundation

/// The transactions waiting for a thread, shared by a ``PostgresSQLDatabase``'s threads.
final class PostgresSQLDatabaseQueue: @unchecked Sendable {
    // Guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [PostgresSQLDatabaseJob] = []
    private var head = 0
    private var isClosed = false

    /// Adds a job; false when the queue is closed.
    func enqueue(_ job: PostgresSQLDatabaseJob) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !isClosed else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// The next job, waiting for one; nil once the queue is closed and empty.
    func next() -> PostgresSQLDatabaseJob? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count && !isClosed { condition.wait() }
        guard head < jobs.count else { return nil }
        let job = jobs[head]
        head += 1
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        }
        return job
    }

    /// Refuses new jobs; the threads finish the queued ones and exit.
    func close() {
        condition.lock()
        isClosed = true
        condition.broadcast()
        condition.unlock()
    }
}
