import Synchronization

/// A small DataLoader for the reference executor: loads requested while a batch is being gathered
/// are answered by one fetch, and every key is fetched at most once per request.
///
/// The library's executor resolves list items in concurrent child tasks; the first load of a
/// batch schedules the fetch after a few yields, so that the other items' loads join it.
final class BatchLoader<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct State {
        var cache: [Key: Result<Value?, GraphQLFieldError>] = [:]
        var pending: [Key: [CheckedContinuation<Value?, any Error>]] = [:]
        var scheduled = false
    }

    private let state = Mutex(State())
    private let fetch: @Sendable ([Key]) async throws(GraphQLFieldError) -> [Key: Value]

    init(fetch: @escaping @Sendable ([Key]) async throws(GraphQLFieldError) -> [Key: Value]) {
        self.fetch = fetch
    }

    func load(_ key: Key) async throws -> Value? {
        try await withCheckedThrowingContinuation { continuation in
            let (cached, schedule) = state.withLock { state -> (Result<Value?, GraphQLFieldError>?, Bool) in
                if let cached = state.cache[key] { return (cached, false) }
                state.pending[key, default: []].append(continuation)
                if state.scheduled { return (nil, false) }
                state.scheduled = true
                return (nil, true)
            }
            if let cached {
                continuation.resume(with: cached.mapError { $0 as any Error })
                return
            }
            if schedule {
                Task { await self.dispatch() }
            }
        }
    }

    private func dispatch() async {
        for _ in 0..<8 { await Task.yield() }
        let batch = state.withLock { state in
            let batch = state.pending
            state.pending = [:]
            state.scheduled = false
            return batch
        }
        let keys = Array(batch.keys)
        let result: Result<[Key: Value], GraphQLFieldError>
        do throws(GraphQLFieldError) {
            result = .success(try await fetch(keys))
        } catch {
            result = .failure(error)
        }
        state.withLock { state in
            for key in keys { state.cache[key] = result.map { $0[key] } }
        }
        for (key, continuations) in batch {
            let answer = result.map { $0[key] }.mapError { $0 as any Error }
            for continuation in continuations { continuation.resume(with: answer) }
        }
    }
}
