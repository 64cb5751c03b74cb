import Synchronization

/// A flag one task raises and another waits for (a class, so escaping closures can share it).
final class SharedFlag: Sendable {
    private let state = Atomic<Bool>(false)

    /// Raises the flag.
    func raise() { state.store(true, ordering: .releasing) }

    /// Whether the flag was raised.
    var isRaised: Bool { state.load(ordering: .acquiring) }

    /// Waits (sleeping a millisecond at a time) until the flag is raised or `timeout` passed.
    func wait(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while !isRaised && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
    }
}
