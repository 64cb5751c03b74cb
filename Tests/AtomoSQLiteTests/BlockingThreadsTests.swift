import AtomoSQL
import Dispatch
import Foundation
import Synchronization
import Testing

/// The one pool of dedicated threads behind SQLite's connections, the PostgreSQL seam and password
/// hashing.
@Suite("BlockingThreads")
struct BlockingThreadsTests {
    /// Shared state for escaping closures.
    final class Shared<Value: Sendable>: Sendable {
        let value: Mutex<Value>
        init(_ value: Value) { self.value = Mutex(value) }
        func update(_ body: @Sendable (inout Value) -> Void) { value.withLock { body(&$0) } }
        var current: Value { value.withLock { $0 } }
    }

    final class Resource {
        let name: String
        var uses = 0
        init(_ name: String) { self.name = name }
    }

    @Test("each job runs on a pool thread with that thread's own resource; one thread keeps submission order")
    func resourcesAndOrder() async throws {
        let pool = BlockingThreads(name: "test-one", resources: [Resource("only")])
        let order = Shared<[Int]>([])
        for index in 0..<200 { pool.submit { _ in order.update { $0.append(index) } } }
        let (name, thread, uses) = try await pool.run(
            { resource in
                resource.uses += 1
                return (resource.name, currentThreadName(), resource.uses)
            }, refused: { _ in CancellationError() })
        #expect(name == "only")
        #expect(thread == "test-one0")
        #expect(uses == 1)
        #expect(order.current == Array(0..<200), "jobs ran in submission order")
        pool.close(wait: true)
    }

    @Test("errors of the body reach the caller")
    func errors() async throws {
        struct Failure: Error, Equatable {}
        let pool = BlockingThreads(name: "test-err", threadCount: 2)
        await #expect(throws: Failure()) {
            try await pool.run({ (_: Void) -> Int in throw Failure() }, refused: { _ in CancellationError() })
        }
        pool.close(wait: true)
    }

    @Test("close lets queued jobs finish, runs onExit on each thread, then refuses; twice is fine")
    func close() async throws {
        let exits = Shared<[String]>([])
        let done = Shared<Int>(0)
        let pool = BlockingThreads(
            name: "test-close", resources: [Resource("a"), Resource("b")],
            onExit: { resource in
                let entry = resource.name + "@" + currentThreadName()
                exits.update { $0.append(entry) }
            })
        for _ in 0..<20 {
            pool.submit { _ in
                Thread.sleep(forTimeInterval: 0.001)
                done.update { $0 += 1 }
            }
        }
        pool.close(wait: true)
        pool.close(wait: true)
        #expect(done.current == 20, "queued jobs ran before the threads ended")
        #expect(exits.current.sorted() == ["a@test-close0", "b@test-close1"])
        #expect(!pool.submit { _ in })
        await #expect(throws: CancellationError.self) {
            try await pool.run(
                { _ in 1 },
                refused: { refusal in
                    #expect(refusal == .closed)
                    return CancellationError()
                })
        }
    }

    @Test("with a queue limit, jobs beyond the threads and the limit are refused at once")
    func queueLimit() async throws {
        let pool = BlockingThreads(name: "test-limit", threadCount: 1, queueLimit: 2)
        let release = DispatchSemaphore(value: 0)
        let started = Shared<Bool>(false)
        #expect(
            pool.enqueue { _ in
                started.update { $0 = true }
                release.wait()
            } == nil)
        while !started.current { try await Task.sleep(for: .milliseconds(1)) }
        #expect(pool.enqueue { _ in } == nil, "one waits")
        #expect(pool.enqueue { _ in } == nil, "two wait")
        #expect(pool.enqueue { _ in } == .overloaded(waiting: 2, limit: 2))
        release.signal()
        pool.close(wait: true)
    }
}
