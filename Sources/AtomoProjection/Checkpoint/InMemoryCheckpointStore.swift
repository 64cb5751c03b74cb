import Synchronization

/// Checkpoints in memory: for tests, and for projectors whose read model is itself in memory (and
/// so is rebuilt at every start anyway).
public final class InMemoryCheckpointStore: CheckpointStore {
    private struct State {
        var positions: [String: Int64] = [:]
        var skipped: [String: [SkippedEvent]] = [:]
    }

    private let state = Mutex(State())

    /// Creates an empty store.
    public init() {}

    /// The checkpoint of `name`, 0 when none is stored.
    public func load(_ name: String) async throws -> Int64 {
        state.withLock { $0.positions[name] ?? 0 }
    }

    /// Stores the checkpoint of `name`.
    public func save(_ name: String, position: Int64) async throws {
        state.withLock { $0.positions[name] = position }
    }

    /// Records a skipped event.
    public func recordSkipped(_ event: SkippedEvent) async throws {
        state.withLock { state in
            var list = state.skipped[event.projector, default: []]
            list.removeAll { $0.position == event.position }
            list.append(event)
            list.sort { $0.position < $1.position }
            state.skipped[event.projector] = list
        }
    }

    /// The events skipped by `name`.
    public func skippedEvents(_ name: String) async throws -> [SkippedEvent] {
        state.withLock { $0.skipped[name] ?? [] }
    }
}
