/// Every way a projection operation can fail. Each case carries the values involved.
///
/// ```swift
/// do { try await runner.waitUntilCaughtUp(to: head, timeout: .seconds(5)) }
/// catch ProjectionError.parked(let name, let position, let message) { … }
/// ```
public enum ProjectionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stored checkpoint is not the one this runner last saw: another runner advanced it. The
    /// batch was rolled back; this runner stops so that two runners never apply the same events.
    case checkpointConflict(name: String, expected: Int64, actual: Int64?)
    /// The runner is parked on a failing event.
    case parked(name: String, position: Int64, message: String)
    /// The runner stopped before the wait was satisfied.
    case stopped(name: String)
    /// A wait did not finish in time.
    case timedOut(name: String, position: Int64, checkpoint: Int64)
    /// A name, batch size or other setting is not acceptable.
    case invalidConfiguration(String)
    /// The runner was started twice, or used after it stopped.
    case invalidState(String)
    /// A blue/green rebuild could not complete; the live version is untouched.
    case rebuildFailed(name: String, reason: String)
    /// ``ProjectionRunner/skipParked()`` on a runner that is not parked.
    case notParked(name: String)
    /// A ``ProjectionDaemon`` holds no projector of this name.
    case unknownProjector(name: String)
    /// A ``ProjectionDaemon`` already holds a projector of this name.
    case duplicateProjector(name: String)

    /// A human-readable explanation.
    public var description: String {
        switch self {
        case .checkpointConflict(let name, let expected, let actual):
            "projector \(name): the checkpoint moved under this runner (expected \(expected), found \(actual.map { "\($0)" } ?? "none")); another runner is applying it"
        case .parked(let name, let position, let message):
            "projector \(name) is parked at event \(position): \(message)"
        case .stopped(let name): "projector \(name) stopped"
        case .timedOut(let name, let position, let checkpoint):
            "projector \(name) did not reach position \(position) in time (checkpoint \(checkpoint))"
        case .invalidConfiguration(let message): "invalid projection configuration: \(message)"
        case .invalidState(let message): "invalid runner state: \(message)"
        case .rebuildFailed(let name, let reason): "rebuild of \(name) failed: \(reason)"
        case .notParked(let name): "projector \(name) is not parked"
        case .unknownProjector(let name): "no projector named \(name) is registered"
        case .duplicateProjector(let name): "a projector named \(name) is already registered"
        }
    }
}

extension ProjectionError {
    /// Whether this is ``checkpointConflict(name:expected:actual:)``: another runner applies the projector.
    var isCheckpointConflict: Bool {
        if case .checkpointConflict = self { true } else { false }
    }
}
