public import AtomoEvents
public import AtomoSQL
import CoreMetrics
import Foundation
public import Logging
import Synchronization

/// Runs one projector: catches up from its checkpoint, then follows the log live, in batches.
///
/// - **Catch-up and live are one loop over positions.** The runner reads a page of up to
///   ``Configuration/batchSize`` events after the checkpoint (only the projector's event types,
///   filtered in the store), applies it, and moves the checkpoint to the page's
///   ``EventPage/scannedThrough`` — so events of other types are passed over without being read
///   again, and an empty page still advances the checkpoint. While a page is applied the next one
///   is read (pipelining). Once a read finds nothing new, the runner waits for the store's commit
///   signal, or for the poll interval when the writer is another process.
/// - **Effects.** A ``SQLProjector``'s batch and its checkpoint commit in one transaction:
///   exactly-once. A ``Projector`` gets at-least-once delivery and de-duplicates by position.
/// - **Failures** follow the ``ProjectionErrorPolicy`` (applied by `BatchApplier`): the batch is
///   split, the failing event is retried with backoff, then the runner parks on it (``resume()``
///   continues from that very event, ``skipParked()`` records it as skipped and goes on) or skips
///   it and records it. Nothing is skipped silently.
/// - **Backpressure.** The runner pulls; it never holds more than the batch being applied and one
///   read ahead, however far behind it is.
/// - **Stopping.** ``stop()`` lets the batch in flight commit with its checkpoint, then ends.
///
/// ```swift
/// let store = try await SQLiteEventStore(path: "app.sqlite")
/// let runner = ProjectionRunner(store: store, projector: ContactsProjector(), database: store.database)
/// runner.start()
/// let result = try await store.append([created], to: stream)
/// try await runner.waitUntilCaughtUp(to: result.lastPosition)
/// print(runner.health().state)   // live
/// await runner.stop()
/// ```
public final class ProjectionRunner: Sendable {
    /// The projector's name.
    public let name: String
    /// The configuration.
    public let configuration: Configuration
    /// Where the runner logs starts, stops, failures, parking and skips (never per event).
    public let logger: Logger

    let store: any EventStore
    private let target: ProjectionTarget
    private let applier: BatchApplier
    private let filter: EventFilter
    let metrics: ProjectionMetrics
    private let storeSignal: EventStoreChangeSignal?
    private let pollInterval: Duration
    /// Wakes the loop for stop, resume, skip and rebuild requests.
    let control = EventStoreChangeSignal()
    /// The callers of `waitUntilCaughtUp`.
    let waiters: CheckpointWaiters
    let state: Mutex<State>

    struct State {
        var phase: ProjectionHealth.State = .starting
        var checkpoint: Int64 = 0
        var head: Int64 = 0
        var lastAppliedCommit: Date?
        var eventsApplied: Int64 = 0
        var errorCount = 0
        var lastError: ProjectionHealth.Failure?
        var skipped: [SkippedEvent] = []
        var parked: ProjectionHealth.ParkedEvent?
        var throughput = ThroughputMeter()
        var errorRate = ThroughputMeter()
        var task: Task<Void, Never>?
        var stopRequested = false
        var resumeRequested = false
        var skipRequests: [CheckedContinuation<SkippedEvent, any Error>] = []
        var rebuildRequests: [CheckedContinuation<Void, any Error>] = []
        var finalError: ProjectionError?
        /// The wait for a commit while live; control requests cancel it.
        var liveWait: Task<Void, Never>?
    }

    /// What a spell of applying, under one lease, came to.
    private enum RunOutcome {
        case stopped
        case leaseLost
    }

    /// What ended a parked spell.
    private enum ParkedOutcome {
        /// Stop: the runner ends, still parked at its checkpoint.
        case stopped
        /// ``resume()``: try the event again.
        case resumed
        /// ``rebuild()``: the loop resets and replays.
        case rebuildRequested
        /// ``skipParked()``: record the event as skipped and go on.
        case skipRequested([CheckedContinuation<SkippedEvent, any Error>])
    }

    /// Creates a runner for a projector whose read model lives outside the store's database:
    /// at-least-once, checkpoints in `checkpoints`.
    public convenience init(
        store: any EventStore, projector: any Projector, checkpoints: any CheckpointStore,
        configuration: Configuration = Configuration(), logger: Logger = ProjectionRunner.defaultLogger
    ) {
        self.init(
            store: store, target: .atLeastOnce(projector, checkpoints: checkpoints), configuration: configuration,
            logger: logger)
    }

    /// Creates a runner for a SQL projector whose read model and checkpoint live in `database`:
    /// exactly-once. `database` may be the event store's own (`SQLiteEventStore.database`) or another.
    public convenience init(
        store: any EventStore, projector: any SQLProjector, database: any SQLDatabase,
        configuration: Configuration = Configuration(), logger: Logger = ProjectionRunner.defaultLogger
    ) {
        self.init(
            store: store, target: .transactional(projector, database: database), configuration: configuration,
            logger: logger)
    }

    init(store: any EventStore, target: ProjectionTarget, configuration: Configuration, logger: Logger) {
        self.name = target.name
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "projector"] = .string(target.name)
        self.logger = logger
        self.store = store
        self.target = target
        self.applier = BatchApplier(name: target.name, target: target, policy: configuration.errorPolicy)
        self.filter = EventFilter(eventTypes: target.eventTypes)
        self.metrics = ProjectionMetrics(projector: target.name)
        self.storeSignal = store.changeSignal
        self.pollInterval = configuration.pollInterval ?? store.changePollInterval
        self.waiters = CheckpointWaiters(name: target.name)
        self.state = Mutex(State())
    }

    /// The logger runners use when none is given: `atomo.projection`.
    public static var defaultLogger: Logger { Logger(label: "atomo.projection") }

    // MARK: Lifecycle

    /// Starts the runner in a task of its own. Calling it again does nothing; a stopped runner
    /// stays stopped (make a new one).
    public func start() {
        state.withLock { state in
            guard state.task == nil else { return }
            // The baseline for the throughput in health: what was applied before this start.
            state.throughput.record(total: state.eventsApplied, at: .now)
            state.errorRate.record(total: Int64(state.errorCount), at: .now)
            state.task = Task { await self.runLoop() }
        }
    }

    /// Whether ``start()`` has been called.
    public var isStarted: Bool { state.withLock { $0.task != nil } }

    /// Starts the runner (if needed) and returns when it stops: after ``stop()``, or with the
    /// error that stopped it (``ProjectionError/checkpointConflict(name:expected:actual:)``).
    /// Convenient inside a task group or a service lifecycle.
    public func run() async throws {
        start()
        await state.withLock { $0.task }?.value
        if let error = state.withLock({ $0.finalError }) { throw error }
    }

    /// Lets the batch in flight commit with its checkpoint, then stops. Safe to call at any time,
    /// also more than once.
    public func stop() async {
        let task = state.withLock { state -> Task<Void, Never>? in
            state.stopRequested = true
            return state.task
        }
        wake()
        await task?.value
        finish(with: nil)
    }

    /// Continues a parked runner from the event it parked on (tried again, with the full retry
    /// policy). Does nothing when the runner is not parked.
    public func resume() {
        let resumed = state.withLock { state -> Bool in
            // The phase changes here, not when the loop wakes, so that a wait right after
            // resume() does not see the runner still parked.
            guard state.phase == .parked else { return false }
            state.resumeRequested = true
            state.phase = .catchingUp
            return true
        }
        if resumed {
            waiters.unblock()
            metrics.parked.record(0)
            logger.info("resumed")
        }
        wake()
    }

    /// Skips the event a parked runner is parked on: records it as skipped with its error (in the
    /// transaction that moves the checkpoint past it, for SQL projectors) and goes on with the next
    /// event. Returns the record once it is stored.
    ///
    /// - Throws: ``ProjectionError/notParked(name:)`` when the runner is not parked; the storage
    ///   error when recording the skip failed (the runner stays parked).
    @discardableResult
    public func skipParked() async throws -> SkippedEvent {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<SkippedEvent, any Error>) in
            let accepted = state.withLock { state -> Bool in
                guard state.phase == .parked, state.parked != nil else { return false }
                state.skipRequests.append(continuation)
                return true
            }
            if accepted { wake() } else { continuation.resume(throwing: ProjectionError.notParked(name: name)) }
        }
    }

    /// Rebuilds the read model: empties it and resets the checkpoint (one transaction for SQL
    /// projectors), then replays the log from the start. Readers see the model emptied and
    /// refilled; for a rebuild readers never notice, use ``BlueGreenReadModel``.
    ///
    /// A running runner does it between two batches and keeps running; a runner that is not
    /// running only resets. Returns once the reset is done.
    public func rebuild() async throws {
        let running = state.withLock { state in state.task != nil && state.phase != .stopped }
        guard running else {
            try await target.reset()
            state.withLock { state in
                state.checkpoint = 0
                state.lastError = nil
            }
            waiters.advance(to: 0)
            return
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = state.withLock { state -> Bool in
                guard state.phase != .stopped else { return false }
                state.rebuildRequests.append(continuation)
                return true
            }
            if accepted { wake() } else { continuation.resume(throwing: ProjectionError.stopped(name: name)) }
        }
    }

    /// Returns once the checkpoint has reached `position`.
    ///
    /// - Throws: ``ProjectionError/parked(name:position:message:)`` when the runner is parked (call
    ///   again after ``resume()``), ``ProjectionError/stopped(name:)`` when it stops first,
    ///   ``ProjectionError/timedOut(name:position:checkpoint:)`` after `timeout`.
    public func waitUntilCaughtUp(to position: Int64, timeout: Duration? = nil) async throws {
        try await waiters.wait(until: position, timeout: timeout)
    }

    /// A snapshot of the runner's state, position, lag, throughput and errors, from memory.
    public func health() -> ProjectionHealth {
        let now = ContinuousClock.now
        return state.withLock { state in
            let head = max(state.head, state.checkpoint)
            let lag = head - state.checkpoint
            let lagSeconds = lag > 0 ? max(0, state.lastAppliedCommit.map { -$0.timeIntervalSinceNow } ?? 0) : 0
            return ProjectionHealth(
                name: name, state: state.phase, checkpoint: state.checkpoint, head: head, lagEvents: lag,
                lagSeconds: lagSeconds, eventsPerSecond: state.throughput.rate(total: state.eventsApplied, at: now),
                eventsApplied: state.eventsApplied, errorCount: state.errorCount, lastError: state.lastError,
                skipped: state.skipped,
                errorsPerSecond: state.errorRate.rate(total: Int64(state.errorCount), at: now),
                parked: state.phase == .parked ? state.parked : nil)
        }
    }

    /// ``health()`` with the head and the lag read from the store now: `head` is the store's head,
    /// and `lagSeconds` is how long ago the oldest event the runner has not applied was committed
    /// (0 when caught up). Costs two reads; meant for health checks, dashboards and `/metrics`, not
    /// for loops.
    public func status() async -> ProjectionHealth {
        var health = health()
        guard health.state != .standby, let head = try? await store.headPosition() else { return health }
        health.head = max(health.head, head)
        health.lagEvents = max(0, health.head - health.checkpoint)
        guard health.lagEvents > 0 else {
            health.lagSeconds = 0
            return health
        }
        if let oldest = try? await store.readAllPage(after: health.checkpoint, limit: 1, filter: .all).events.first {
            health.lagSeconds = max(0, -oldest.committedAt.timeIntervalSinceNow)
        }
        return health
    }

    // MARK: The loop

    private func runLoop() async {
        logger.debug("started")
        var failure: ProjectionError?
        do {
            try await runUnderLeadership()
        } catch let error as ProjectionError {
            failure = error
        } catch {
            failure = .invalidState("\(error)")
        }
        if let failure { logger.error("stopped on a failure", metadata: ["error": "\(failure)"]) }
        finish(with: failure)
        logger.debug("stopped")
    }

    /// Marks the runner stopped and fails every wait and request.
    private func finish(with failure: ProjectionError?) {
        let (rebuilds, skips, closing) = state.withLock {
            state -> (
                [CheckedContinuation<Void, any Error>], [CheckedContinuation<SkippedEvent, any Error>], ProjectionError
            ) in
            state.phase = .stopped
            if state.finalError == nil { state.finalError = failure }
            defer {
                state.rebuildRequests.removeAll()
                state.skipRequests.removeAll()
            }
            return (state.rebuildRequests, state.skipRequests, state.finalError ?? ProjectionError.stopped(name: name))
        }
        waiters.close(closing)
        let error = failure ?? ProjectionError.stopped(name: name)
        for rebuild in rebuilds { rebuild.resume(throwing: error) }
        for skip in skips { skip.resume(throwing: error) }
    }

    var stopRequested: Bool { state.withLock { $0.stopRequested } }

    func setPhase(_ phase: ProjectionHealth.State) {
        state.withLock { $0.phase = phase }
        metrics.parked.record(phase == .parked ? 1 : 0)
    }

    /// Parks on `event`: waits fail with it until the runner continues.
    private func park(on event: ProjectionHealth.ParkedEvent) {
        state.withLock { state in
            state.phase = .parked
            state.parked = event
        }
        metrics.parked.record(1)
        waiters.block(.parked(name: name, position: event.position, message: event.message))
        logger.error(
            "parked on a failing event",
            metadata: [
                "position": "\(event.position)", "eventType": .string(event.eventType),
                "attempts": "\(event.attempts)", "error": .string(event.message),
            ])
    }

    private func runUnderLeadership() async throws {
        while !stopRequested {
            var lease: (any ProjectionLease)?
            if let leadership = configuration.leadership {
                setPhase(.standby)
                let seen = control.generation
                do {
                    lease = try await leadership.tryAcquire(name)
                } catch {
                    recordFailure(position: nil, eventType: nil, error: error, attempts: 1)
                }
                if lease == nil {
                    await pause(configuration.leadershipRetryInterval, controlSeen: seen)
                    continue
                }
                logger.info("acquired the projector's lease")
            }
            let outcome: RunOutcome
            do {
                outcome = try await runApplying(lease: lease)
            } catch {
                await lease?.release()
                throw error
            }
            await lease?.release()
            if case .stopped = outcome { return }
            logger.warning("lost the projector's lease")
        }
    }

    /// Loads the checkpoint, then applies batches until stopped or until the lease is lost.
    private func runApplying(lease: (any ProjectionLease)?) async throws -> RunOutcome {
        setPhase(.starting)
        var position: Int64
        var attempt = 0
        while true {
            let seen = control.generation
            if stopRequested { return .stopped }
            do {
                position = try await target.prepare()
                break
            } catch {
                attempt += 1
                recordFailure(position: nil, eventType: nil, error: error, attempts: attempt)
                setPhase(.retrying)
                await pause(configuration.errorPolicy.delay(afterAttempt: attempt), controlSeen: seen)
            }
        }
        state.withLock { state in
            state.checkpoint = position
            state.lastError = nil
        }
        // Callers may already wait for a position the stored checkpoint covers (a restart after the
        // last batch committed): with nothing left to apply, no batch would ever wake them.
        waiters.advance(to: position)
        metrics.checkpoint.record(position)
        await refreshHead()
        setPhase(.catchingUp)

        let batchSize = configuration.batchSize
        var readAhead = PageReadAhead(
            depth: configuration.readAhead, batchSize: batchSize, filter: filter, store: store)
        defer { readAhead.cancelAll() }
        var lastHeadRefresh = ContinuousClock.now
        var readFailures = 0

        while true {
            let controlSeen = control.generation
            if stopRequested { return .stopped }
            if let lease, !lease.isHeld { return .leaseLost }
            if let requests = takeRebuildRequests() {
                readAhead.cancelAll()
                do {
                    try await target.reset()
                    position = 0
                    state.withLock { state in
                        state.checkpoint = 0
                        state.lastError = nil
                        state.skipped = []
                        state.parked = nil
                    }
                    waiters.advance(to: 0)
                    metrics.checkpoint.record(0)
                    setPhase(.catchingUp)
                    logger.info("rebuilding: read model reset, replaying the log")
                    for request in requests { request.resume() }
                } catch {
                    for request in requests { request.resume(throwing: error) }
                }
                continue
            }

            let storeSeen = storeSignal?.generation ?? 0
            var page: EventPage
            do {
                page = try await readAhead.page(after: position)
                readFailures = 0
            } catch {
                readFailures += 1
                recordFailure(position: nil, eventType: nil, error: error, attempts: readFailures)
                setPhase(.retrying)
                await pause(configuration.errorPolicy.delay(afterAttempt: readFailures), controlSeen: controlSeen)
                continue
            }
            var through = max(position, page.scannedThrough, page.events.last?.position ?? 0)
            let full = page.events.count >= batchSize
            if full { readAhead.refill(after: through) }
            if through == position {
                // Caught up: nothing after the checkpoint. Wait for a commit, a poll or a request.
                state.withLock { state in state.head = max(state.head, position) }
                setPhaseIfNotParked(.live)
                updateLagMetrics()
                await waitForChange(storeSeen: storeSeen, controlSeen: controlSeen)
                continue
            }
            if !full && !page.events.isEmpty && configuration.maxBatchLatency > .zero {
                (page, through) = await fillBatch(page, through: through, storeSeen: storeSeen)
            }

            switch await applier.apply(page.events, from: position, to: through, host: self) {
            case .applied(let checkpoint):
                position = checkpoint
            case .parked(let checkpoint, let event):
                readAhead.cancelAll()
                position = checkpoint
                if await staysParked(on: event, position: &position) { return .stopped }
                continue
            }
            if position < through {
                // Stopped part-way through splitting a failed batch.
                readAhead.cancelAll()
                continue
            }

            if full || page.events.count >= batchSize {
                setPhaseIfNotParked(.catchingUp)
                let now = ContinuousClock.now
                if now - lastHeadRefresh >= configuration.headRefreshInterval {
                    lastHeadRefresh = now
                    await refreshHead()
                }
            } else {
                // A partial page: the read saw the head.
                state.withLock { state in state.head = max(state.head, through) }
                setPhaseIfNotParked(.live)
            }
            updateLagMetrics()
        }
    }

    /// Parks on `event` until a request ends it; a skip moves `position` past the event. Returns
    /// whether the runner must stop.
    private func staysParked(on event: ProjectionHealth.ParkedEvent, position: inout Int64) async -> Bool {
        park(on: event)
        while true {
            switch await waitWhileParked() {
            case .stopped:
                return true
            case .resumed, .rebuildRequested:
                state.withLock { $0.parked = nil }
                return false
            case .skipRequested(let requests):
                do {
                    let skipped = try await applier.skip(event, from: position, host: self)
                    position = event.position
                    state.withLock { $0.parked = nil }
                    setPhase(.catchingUp)
                    waiters.unblock()
                    logger.warning(
                        "skipped the parked event", metadata: ["position": "\(event.position)"])
                    for request in requests { request.resume(returning: skipped) }
                    return false
                } catch {
                    recordFailure(position: event.position, eventType: event.eventType, error: error, attempts: 1)
                    for request in requests { request.resume(throwing: error) }
                }
            }
        }
    }

    /// Live with a maximum batch latency: keeps reading until the batch is full or the latency is up.
    private func fillBatch(_ first: EventPage, through: Int64, storeSeen: UInt64) async -> (EventPage, Int64) {
        var page = first
        var through = through
        var seen = storeSeen
        let deadline = ContinuousClock.now + configuration.maxBatchLatency
        while page.events.count < configuration.batchSize && !stopRequested {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { break }
            if let signal = storeSignal {
                await signal.wait(after: seen, timeout: remaining)
                seen = signal.generation
            } else {
                try? await Task.sleep(for: min(remaining, pollInterval))
            }
            guard
                let more = try? await store.readAllPage(
                    after: through, limit: configuration.batchSize - page.events.count, filter: filter)
            else { break }
            page.events += more.events
            through = max(through, more.scannedThrough, more.events.last?.position ?? 0)
        }
        return (page, through)
    }

    /// Waits while parked, until a stop, resume, skip or rebuild request.
    private func waitWhileParked() async -> ParkedOutcome {
        while true {
            let seen = control.generation
            let outcome = state.withLock { state -> ParkedOutcome? in
                if state.stopRequested { return .stopped }
                if !state.skipRequests.isEmpty {
                    defer { state.skipRequests.removeAll() }
                    return .skipRequested(state.skipRequests)
                }
                if state.resumeRequested {
                    state.resumeRequested = false
                    return .resumed
                }
                if !state.rebuildRequests.isEmpty { return .rebuildRequested }
                return nil
            }
            switch outcome {
            case .rebuildRequested?:
                setPhase(.catchingUp)
                waiters.unblock()
                return .rebuildRequested
            case let outcome?:
                return outcome
            case nil:
                await control.wait(after: seen, timeout: .seconds(3600))
            }
        }
    }

    private func takeRebuildRequests() -> [CheckedContinuation<Void, any Error>]? {
        state.withLock { state in
            guard !state.rebuildRequests.isEmpty else { return nil }
            defer { state.rebuildRequests.removeAll() }
            return state.rebuildRequests
        }
    }

    /// Waits for a commit in the store, a control request, or the poll interval.
    private func waitForChange(storeSeen: UInt64, controlSeen: UInt64) async {
        guard let storeSignal else {
            await control.wait(after: controlSeen, timeout: pollInterval)
            return
        }
        // One task, which control requests cancel (see `wake()`): the live path stays short.
        let pollInterval = self.pollInterval
        let waiter = Task { await storeSignal.wait(after: storeSeen, timeout: pollInterval) }
        state.withLock { $0.liveWait = waiter }
        // A request between reading `controlSeen` and storing the task did not see the task.
        if control.generation != controlSeen { waiter.cancel() }
        await waiter.value
        state.withLock { $0.liveWait = nil }
    }

    /// Wakes the loop for a stop, resume, skip or rebuild request, wherever it waits.
    private func wake() {
        control.notify()
        state.withLock { $0.liveWait }?.cancel()
    }
}
