public import Foundation

/// A snapshot of a ``ProjectionRunner``: where it is, how far behind, how fast, what failed.
///
/// ```swift
/// let health = runner.health()
/// print(health.state, health.checkpoint, health.lagEvents, health.eventsPerSecond)
/// if let failure = health.lastError { print("event \(failure.position ?? 0): \(failure.message)") }
/// ```
public struct ProjectionHealth: Sendable, Hashable {
    /// The runner's lifecycle state.
    public enum State: String, Sendable, Hashable {
        /// Created, or loading its checkpoint.
        case starting
        /// Waiting for the leadership lock another node holds (PostgreSQL).
        case standby
        /// Applying stored events, behind the head.
        case catchingUp
        /// Caught up, following new events as they commit.
        case live
        /// A batch failed; retrying with backoff.
        case retrying
        /// Stopped on a failing event (``ProjectionHealth/parked``); ``ProjectionRunner/resume()``
        /// tries it again, ``ProjectionRunner/skipParked()`` skips it.
        case parked
        /// Stopped.
        case stopped
    }

    /// A failure, with the event it happened on.
    public struct Failure: Sendable, Hashable {
        /// The failing event's position, or nil for a failure not tied to an event (reading the log).
        public var position: Int64?
        /// The failing event's type.
        public var eventType: String?
        /// The error's description.
        public var message: String
        /// How many times the event has been tried on its own.
        public var attempts: Int
        /// When it happened.
        public var at: Date

        /// Creates a failure record.
        public init(position: Int64?, eventType: String?, message: String, attempts: Int, at: Date) {
            self.position = position
            self.eventType = eventType
            self.message = message
            self.attempts = attempts
            self.at = at
        }
    }

    /// The event a parked runner stopped on: what ``ProjectionRunner/resume()`` tries again and
    /// ``ProjectionRunner/skipParked()`` skips.
    public struct ParkedEvent: Sendable, Hashable {
        /// The event's global position (the checkpoint is just before it).
        public var position: Int64
        /// The event's id.
        public var eventID: UUID
        /// The event's type.
        public var eventType: String
        /// The last error the projector threw on it.
        public var message: String
        /// How many times it was tried on its own.
        public var attempts: Int
        /// When the runner parked.
        public var since: Date

        /// Creates a record of a parked event.
        public init(position: Int64, eventID: UUID, eventType: String, message: String, attempts: Int, since: Date) {
            self.position = position
            self.eventID = eventID
            self.eventType = eventType
            self.message = message
            self.attempts = attempts
            self.since = since
        }
    }

    /// The projector's name.
    public var name: String
    /// The lifecycle state.
    public var state: State
    /// The last position fully applied.
    public var checkpoint: Int64
    /// The head of the log as last seen (refreshed at least every ``ProjectionRunner/Configuration/headRefreshInterval``).
    public var head: Int64
    /// `head - checkpoint` (positions, which the SQLite store keeps gapless).
    public var lagEvents: Int64
    /// How far behind in time the runner is, 0 when caught up. From ``ProjectionRunner/health()``:
    /// how old the last applied event is while the runner is behind. From
    /// ``ProjectionRunner/status()`` and ``ProjectionDaemon/status()``: how long ago the oldest event
    /// the runner has not applied was committed (read from the store).
    public var lagSeconds: Double
    /// Events applied per second over the last few seconds.
    public var eventsPerSecond: Double
    /// Events applied since the runner started.
    public var eventsApplied: Int64
    /// Failed attempts since the runner started.
    public var errorCount: Int
    /// Failed attempts per second over the last few seconds.
    public var errorsPerSecond: Double
    /// The most recent failure, cleared once the failing event is applied.
    public var lastError: Failure?
    /// Events skipped since the runner started (all of them are also in the checkpoint store).
    public var skipped: [SkippedEvent]
    /// The event the runner is parked on; nil unless ``state`` is ``State/parked``.
    public var parked: ParkedEvent?

    /// Creates a snapshot.
    public init(
        name: String, state: State, checkpoint: Int64, head: Int64, lagEvents: Int64, lagSeconds: Double,
        eventsPerSecond: Double, eventsApplied: Int64, errorCount: Int, lastError: Failure?, skipped: [SkippedEvent],
        errorsPerSecond: Double = 0, parked: ParkedEvent? = nil
    ) {
        self.name = name
        self.state = state
        self.checkpoint = checkpoint
        self.head = head
        self.lagEvents = lagEvents
        self.lagSeconds = lagSeconds
        self.eventsPerSecond = eventsPerSecond
        self.eventsApplied = eventsApplied
        self.errorCount = errorCount
        self.lastError = lastError
        self.skipped = skipped
        self.errorsPerSecond = errorsPerSecond
        self.parked = parked
    }
}
