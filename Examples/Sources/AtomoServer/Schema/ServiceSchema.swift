import AtomoSchema
public import AtomoTooling
public import Foundation
import Synchronization

/// The schema a server serves right now, swapped as a whole when `atomo dev` reloads the file,
/// and the last reload's error (the last good schema keeps serving meanwhile).
public final class ServiceSchema: Sendable {
    private struct State {
        var current: LoadedSchema
        var generation: Int
        var loadedAt: Date
        var lastError: SchemaLoadError?
    }

    private let state: Mutex<State>

    /// Starts with `initial`.
    public init(_ initial: LoadedSchema) {
        state = Mutex(State(current: initial, generation: 1, loadedAt: Date(), lastError: nil))
    }

    /// The schema being served, with its source.
    public var current: LoadedSchema { state.withLock { $0.current } }
    /// 1 for the schema loaded at start, one more for each swap.
    public var generation: Int { state.withLock { $0.generation } }
    /// The error of the last reload, if it failed (cleared by the next successful one).
    public var lastError: SchemaLoadError? { state.withLock { $0.lastError } }
    /// When the current schema was loaded.
    public var loadedAt: Date { state.withLock { $0.loadedAt } }

    /// Serves `schema` from now on.
    public func replace(with schema: LoadedSchema) {
        state.withLock {
            $0.current = schema
            $0.generation += 1
            $0.loadedAt = Date()
            $0.lastError = nil
        }
    }

    /// Records a failed reload; the current schema stays.
    public func recordFailure(_ error: SchemaLoadError) {
        state.withLock { $0.lastError = error }
    }
}
