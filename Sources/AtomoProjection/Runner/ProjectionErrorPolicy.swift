/// What a ``ProjectionRunner`` does when a projector throws.
///
/// The failing batch is rolled back (for ``SQLProjector``s) and then applied one event at a time,
/// so the events before the failing one are applied and checkpointed. The failing event is tried
/// up to ``maxAttempts`` times on its own, waiting between attempts with an exponential backoff
/// from the lower to the upper bound of ``backoff``. Then the runner either **parks** — stops
/// applying, keeps the checkpoint just before the event, reports it in ``ProjectionHealth``, and
/// continues from that very event after ``ProjectionRunner/resume()`` — or **skips** the event,
/// recording it with its error in the ``CheckpointStore`` and in the health snapshot. Nothing is
/// ever skipped silently.
///
/// ```swift
/// let policy = ProjectionErrorPolicy(maxAttempts: 5, backoff: .milliseconds(100)...(.seconds(10)), whenExhausted: .park)
/// ```
public struct ProjectionErrorPolicy: Sendable, Hashable {
    /// What happens once an event has failed ``ProjectionErrorPolicy/maxAttempts`` times.
    public enum Exhausted: Sendable, Hashable {
        /// Stop applying, keep the checkpoint before the event, wait for ``ProjectionRunner/resume()``.
        case park
        /// Record the event as skipped and go on with the next one.
        case skip
    }

    /// How many times a failing event is tried on its own (at least 1).
    public var maxAttempts: Int
    /// The first and the longest wait between attempts; each wait doubles the previous one.
    public var backoff: ClosedRange<Duration>
    /// Park or skip.
    public var whenExhausted: Exhausted

    /// Creates a policy.
    public init(maxAttempts: Int, backoff: ClosedRange<Duration>, whenExhausted: Exhausted) {
        self.maxAttempts = max(1, maxAttempts)
        self.backoff = backoff
        self.whenExhausted = whenExhausted
    }

    /// Retry 5 times, 100 ms to 10 s apart, then park: the default.
    public static let standard = ProjectionErrorPolicy(
        maxAttempts: 5, backoff: .milliseconds(100)...(.seconds(10)), whenExhausted: .park)

    /// Retry `maxAttempts` times with `backoff`, then park.
    public static func retryThenPark(maxAttempts: Int, backoff: ClosedRange<Duration>) -> Self {
        ProjectionErrorPolicy(maxAttempts: maxAttempts, backoff: backoff, whenExhausted: .park)
    }

    /// Retry `maxAttempts` times with `backoff`, then skip and record the event.
    public static func retryThenSkip(maxAttempts: Int, backoff: ClosedRange<Duration>) -> Self {
        ProjectionErrorPolicy(maxAttempts: maxAttempts, backoff: backoff, whenExhausted: .skip)
    }

    /// The wait before attempt `attempt + 1`, after `attempt` failures (1-based).
    func delay(afterAttempt attempt: Int) -> Duration {
        var delay = backoff.lowerBound
        var remaining = attempt - 1
        while remaining > 0 && delay < backoff.upperBound {
            delay = delay * 2
            remaining -= 1
        }
        return min(delay, backoff.upperBound)
    }
}
