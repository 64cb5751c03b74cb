public import AtomoEvents
public import AtomoSQL
import CoreMetrics
import Foundation
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
/// - **Failures** follow the ``ProjectionErrorPolicy``: the batch is split, the failing event is
///   retried with backoff, then the runner parks on it (``resume()`` continues from that very
///   event) or skips it and records it. Nothing is skipped silently.
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

    private let store: any EventStore
    private let target: ProjectionTarget
    private let filter: EventFilter
    private let metrics: ProjectionMetrics
    private let storeSignal: EventStoreChangeSignal?
    private let pollInterval: Duration
    /// Wakes the loop for stop, resume and rebuild requests.
    private let control = EventStoreChangeSignal()
    private let state: Mutex<State>

    private struct Waiter {
        var id: Int
        var position: Int64
        /// When the wait times out; nil waits as long as it takes.
        var deadline: ContinuousClock.Instant?
        var continuation: CheckedContinuation<Void, any Error>
    }

    /// The one task that times out waits, sleeping until the earliest deadline among them.
    private struct TimeoutWatch {
        var task: Task<Void, Never>
        var until: ContinuousClock.Instant
        var generation: Int
    }

    private struct State {
        var phase: ProjectionHealth.State = .starting
        var checkpoint: Int64 = 0
        var head: Int64 = 0
        var lastAppliedCommit: Date?
        var eventsApplied: Int64 = 0
        var errorCount = 0
        var lastError: ProjectionHealth.Failure?
        var skipped: [SkippedEvent] = []
        var throughput = ThroughputMeter()
        var task: Task<Void, Never>?
        var stopRequested = false
        var resumeRequested = false
        var rebuildRequests: [CheckedContinuation<Void, any Error>] = []
        var finalError: ProjectionError?
        var waiters: [Waiter] = []
        var nextWaiterID = 0
        /// Waits that timed out or were cancelled before they were registered.
        var abandonedWaits: [Int: ProjectionError] = [:]
        /// The wait for a commit while live; control requests cancel it.
        var liveWait: Task<Void, Never>?
        /// Times out waits with a deadline; nil when none is due.
        var timeoutWatch: TimeoutWatch?
        var timeoutWatchGeneration = 0
    }

    /// What applying a batch came to.
    private enum BatchOutcome {
        /// The checkpoint is now at this position.
        case applied(Int64)
        /// Parked before this position + 1.
        case parked(Int64)
    }

    /// What a spell of applying, under one lease, came to.
    private enum RunOutcome {
        case stopped
        case leaseLost
    }

    /// Creates a runner for a projector whose read model lives outside the store's database:
    /// at-least-once, checkpoints in `checkpoints`.
    public convenience init(
        store: any EventStore, projector: any Projector, checkpoints: any CheckpointStore,
        configuration: Configuration = Configuration()
    ) {
        self.init(
            store: store, target: .atLeastOnce(projector, checkpoints: checkpoints), configuration: configuration)
    }

    /// Creates a runner for a SQL projector whose read model and checkpoint live in `database`:
    /// exactly-once. `database` may be the event store's own (`SQLiteEventStore.database`) or another.
    public convenience init(
        store: any EventStore, projector: any SQLProjector, database: any SQLDatabase,
        configuration: Configuration = Configuration()
    ) {
        self.init(store: store, target: .transactional(projector, database: database), configuration: configuration)
    }

    init(store: any EventStore, target: ProjectionTarget, configuration: Configuration) {
        self.name = target.name
        self.configuration = configuration
        self.store = store
        self.target = target
        self.filter = EventFilter(eventTypes: target.eventTypes)
        self.metrics = ProjectionMetrics(projector: target.name)
        let probe = store.subscribe(after: 0, filter: .all)
        self.storeSignal = probe.signal
        self.pollInterval = configuration.pollInterval ?? probe.pollInterval
        self.state = Mutex(State())
    }

    // MARK: Lifecycle

    /// Starts the runner in a task of its own. Calling it again does nothing.
    public func start() {
        state.withLock { state in
            guard state.task == nil else { return }
            // The baseline for the throughput in health: what was applied before this start.
            state.throughput.record(total: state.eventsApplied, at: .now)
            state.task = Task { await self.runLoop() }
        }
    }

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

    /// Continues a parked runner from the event it parked on.
    public func resume() {
        state.withLock { state in
            // The phase changes here, not when the loop wakes, so that a wait right after
            // resume() does not see the runner still parked.
            if state.phase == .parked {
                state.resumeRequested = true
                state.phase = .catchingUp
            }
        }
        wake()
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
        // A deadline kept with the wait, not a timer task per call: read-your-writes commands wait
        // once each, thousands of times a second, and a sleeping task per wait (with its timer,
        // which stays scheduled after a cancel) cost more than the wait itself. Waits beyond a year
        // count as unbounded, so the deadline cannot overflow.
        let deadline = timeout.flatMap { timeout in
            timeout < .seconds(31_536_000) ? ContinuousClock.now.advanced(by: max(timeout, .zero)) : nil
        }
        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        defer { _ = state.withLock { $0.abandonedWaits.removeValue(forKey: id) } }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let immediate = state.withLock { state -> Result<Void, any Error>? in
                    if state.checkpoint >= position { return .success(()) }
                    if let error = state.abandonedWaits.removeValue(forKey: id) { return .failure(error) }
                    if state.phase == .stopped {
                        return .failure(state.finalError ?? ProjectionError.stopped(name: name))
                    }
                    if state.phase == .parked {
                        return .failure(
                            ProjectionError.parked(
                                name: name, position: state.checkpoint + 1, message: state.lastError?.message ?? ""))
                    }
                    if let deadline, deadline <= .now {
                        return .failure(
                            ProjectionError.timedOut(name: name, position: position, checkpoint: state.checkpoint))
                    }
                    state.waiters.append(
                        Waiter(id: id, position: position, deadline: deadline, continuation: continuation))
                    if let deadline { watchTimeouts(until: deadline, in: &state) }
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            self.failWaiter(id, with: .stopped(name: self.name))
        }
    }

    /// A snapshot of the runner's state, position, lag, throughput and errors.
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
                skipped: state.skipped)
        }
    }

    // MARK: The loop

    private func runLoop() async {
        var failure: ProjectionError?
        do {
            try await runUnderLeadership()
        } catch let error as ProjectionError {
            failure = error
        } catch {
            failure = .invalidState("\(error)")
        }
        finish(with: failure)
    }

    /// Marks the runner stopped and fails every wait.
    private func finish(with failure: ProjectionError?) {
        let (waiters, rebuilds) = state.withLock {
            state -> ([Waiter], [CheckedContinuation<Void, any Error>]) in
            state.phase = .stopped
            if state.finalError == nil { state.finalError = failure }
            defer {
                state.waiters.removeAll()
                state.rebuildRequests.removeAll()
                state.timeoutWatch?.task.cancel()
                state.timeoutWatch = nil
            }
            return (state.waiters, state.rebuildRequests)
        }
        let error = failure ?? ProjectionError.stopped(name: name)
        for waiter in waiters { waiter.continuation.resume(throwing: error) }
        for rebuild in rebuilds { rebuild.resume(throwing: error) }
    }

    private var stopRequested: Bool { state.withLock { $0.stopRequested } }

    private func setPhase(_ phase: ProjectionHealth.State) {
        let parkedWaiters = state.withLock { state -> [Waiter] in
            state.phase = phase
            guard phase == .parked else { return [] }
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        metrics.parked.record(phase == .parked ? 1 : 0)
        if !parkedWaiters.isEmpty {
            let failure = health().lastError
            let error = ProjectionError.parked(
                name: name, position: failure?.position ?? 0, message: failure?.message ?? "")
            for waiter in parkedWaiters { waiter.continuation.resume(throwing: error) }
        }
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
        resumeWaiters(upTo: position)
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
                    }
                    metrics.checkpoint.record(0)
                    setPhase(.catchingUp)
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

            switch await applyBatch(page.events, from: position, to: through) {
            case .applied(let checkpoint):
                position = checkpoint
            case .parked(let checkpoint):
                readAhead.cancelAll()
                position = checkpoint
                if await waitWhileParked() == .stopped { return .stopped }
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

    /// Applies one batch and its checkpoint; on failure splits it and follows the error policy.
    private func applyBatch(_ events: [RecordedEvent], from: Int64, to: Int64) async -> BatchOutcome {
        let started = ContinuousClock.now
        do {
            try await target.apply(events, from, to)
            recordSuccess(events, checkpoint: to, started: started)
            return .applied(to)
        } catch let error as ProjectionError where error.isCheckpointConflict {
            // A moved checkpoint means another runner: never retry over it.
            recordFailure(position: events.first?.position, eventType: events.first?.type, error: error, attempts: 1)
            requestStop(error)
            return .applied(from)
        } catch {
            recordFailure(position: events.first?.position, eventType: events.first?.type, error: error, attempts: 1)
        }
        // Split the batch: apply the events one by one, so that everything before the failing
        // event is applied and checkpointed, and the failing event is known exactly.
        let policy = configuration.errorPolicy
        var checkpoint = from
        for event in events {
            var attempts = 0
            while true {
                let controlSeen = control.generation
                if stopRequested { return .applied(checkpoint) }
                let started = ContinuousClock.now
                do {
                    try await target.apply([event], checkpoint, event.position)
                    checkpoint = event.position
                    recordSuccess([event], checkpoint: checkpoint, started: started)
                    if attempts > 0 { setPhaseIfNotParked(.catchingUp) }
                    break
                } catch let error as ProjectionError where error.isCheckpointConflict {
                    recordFailure(position: event.position, eventType: event.type, error: error, attempts: attempts + 1)
                    requestStop(error)
                    return .applied(checkpoint)
                } catch {
                    attempts += 1
                    recordFailure(position: event.position, eventType: event.type, error: error, attempts: attempts)
                    guard attempts >= policy.maxAttempts else {
                        setPhase(.retrying)
                        await pause(policy.delay(afterAttempt: attempts), controlSeen: controlSeen)
                        continue
                    }
                    switch policy.whenExhausted {
                    case .park:
                        setPhase(.parked)
                        return .parked(checkpoint)
                    case .skip:
                        let skipped = SkippedEvent(
                            projector: name, position: event.position, eventID: event.id, eventType: event.type,
                            error: "\(error)", skippedAt: Date())
                        do {
                            try await target.skip(skipped, checkpoint)
                        } catch {
                            recordFailure(
                                position: event.position, eventType: event.type, error: error, attempts: attempts)
                            setPhase(.parked)
                            return .parked(checkpoint)
                        }
                        checkpoint = event.position
                        state.withLock { state in
                            state.checkpoint = checkpoint
                            state.skipped.append(skipped)
                        }
                        resumeWaiters(upTo: checkpoint)
                        metrics.skipped.increment()
                        metrics.checkpoint.record(checkpoint)
                        setPhaseIfNotParked(.catchingUp)
                    }
                }
                break
            }
        }
        if checkpoint < to {
            // Events of other types after the last one of the batch: move the checkpoint past them.
            do {
                try await target.apply([], checkpoint, to)
                recordSuccess([], checkpoint: to, started: ContinuousClock.now)
                checkpoint = to
            } catch {
                recordFailure(position: nil, eventType: nil, error: error, attempts: 1)
            }
        }
        return .applied(checkpoint)
    }

    private func requestStop(_ error: ProjectionError) {
        state.withLock { state in
            state.stopRequested = true
            if state.finalError == nil { state.finalError = error }
        }
    }

    /// Waits while parked; returns `.leaseLost` to mean "continue" (resumed or rebuilding).
    private func waitWhileParked() async -> RunOutcome {
        while true {
            let seen = control.generation
            let (stop, resume, rebuild) = state.withLock { state in
                (state.stopRequested, state.resumeRequested, !state.rebuildRequests.isEmpty)
            }
            if stop { return .stopped }
            if resume || rebuild {
                state.withLock { state in state.resumeRequested = false }
                setPhase(.catchingUp)
                return .leaseLost
            }
            await control.wait(after: seen, timeout: .seconds(3600))
        }
    }

    private func takeRebuildRequests() -> [CheckedContinuation<Void, any Error>]? {
        state.withLock { state in
            guard !state.rebuildRequests.isEmpty else { return nil }
            defer { state.rebuildRequests.removeAll() }
            return state.rebuildRequests
        }
    }

    /// Sleeps for `duration`, or less when a stop, resume or rebuild request comes in.
    private func pause(_ duration: Duration, controlSeen: UInt64) async {
        await control.wait(after: controlSeen, timeout: duration)
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

    /// Wakes the loop for a stop, resume or rebuild request, wherever it waits.
    private func wake() {
        control.notify()
        state.withLock { $0.liveWait }?.cancel()
    }

    // MARK: Bookkeeping

    private func setPhaseIfNotParked(_ phase: ProjectionHealth.State) {
        let current = state.withLock { $0.phase }
        if current != phase && current != .parked && current != .stopped { setPhase(phase) }
    }

    private func refreshHead() async {
        guard let head = try? await store.headPosition() else { return }
        state.withLock { state in state.head = max(state.head, head) }
        metrics.head.record(head)
    }

    private func recordSuccess(_ events: [RecordedEvent], checkpoint: Int64, started: ContinuousClock.Instant) {
        let now = ContinuousClock.now
        let ready = state.withLock { state -> [Waiter] in
            state.checkpoint = checkpoint
            state.eventsApplied += Int64(events.count)
            if let last = events.last { state.lastAppliedCommit = last.committedAt }
            if let failure = state.lastError, let position = failure.position, position <= checkpoint {
                state.lastError = nil
            }
            state.throughput.record(total: state.eventsApplied, at: now)
            guard !state.waiters.isEmpty else { return [] }
            var ready: [Waiter] = []
            state.waiters.removeAll { waiter in
                guard waiter.position <= checkpoint else { return false }
                ready.append(waiter)
                return true
            }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
        if !events.isEmpty {
            metrics.events.increment(by: events.count)
            metrics.batches.increment()
            let elapsed = (now - started).components
            metrics.batchTime.recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
        }
        metrics.checkpoint.record(checkpoint)
    }

    /// Resumes every ``waitUntilCaughtUp(to:timeout:)`` caller whose position `checkpoint` covers.
    private func resumeWaiters(upTo checkpoint: Int64) {
        let ready = state.withLock { state -> [Waiter] in
            var ready: [Waiter] = []
            state.waiters.removeAll { waiter in
                guard waiter.position <= checkpoint else { return false }
                ready.append(waiter)
                return true
            }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    private func recordFailure(position: Int64?, eventType: String?, error: any Error, attempts: Int) {
        state.withLock { state in
            state.errorCount += 1
            state.lastError = ProjectionHealth.Failure(
                position: position, eventType: eventType, message: "\(error)", attempts: attempts, at: Date())
        }
        metrics.errors.increment()
    }

    private func updateLagMetrics() {
        let (head, checkpoint, lagSeconds) = state.withLock { state in
            let lag = state.head > state.checkpoint
            return (
                state.head, state.checkpoint,
                lag ? max(0, state.lastAppliedCommit.map { -$0.timeIntervalSinceNow } ?? 0) : 0
            )
        }
        metrics.head.record(head)
        metrics.lagEvents.record(max(0, head - checkpoint))
        metrics.lagSeconds.record(lagSeconds)
    }

    /// Makes sure the timeout watch wakes by `deadline` (called with the state locked).
    private func watchTimeouts(until deadline: ContinuousClock.Instant, in state: inout State) {
        if let watch = state.timeoutWatch {
            if watch.until <= deadline { return }
            watch.task.cancel()
        }
        state.timeoutWatchGeneration += 1
        let generation = state.timeoutWatchGeneration
        let task = Task { [weak self] in
            var until = deadline
            while true {
                try? await Task.sleep(until: until, clock: .continuous)
                guard let self else { return }
                typealias Sweep = (expired: [(Waiter, ProjectionError)], next: ContinuousClock.Instant?)
                let (expired, next) = self.state.withLock { state -> Sweep in
                    // A newer watch (for an earlier deadline) replaced this one.
                    guard state.timeoutWatch?.generation == generation else { return ([], nil) }
                    let now = ContinuousClock.now
                    var expired: [(Waiter, ProjectionError)] = []
                    var next: ContinuousClock.Instant?
                    state.waiters.removeAll { waiter in
                        guard let deadline = waiter.deadline else { return false }
                        if deadline <= now {
                            let error = ProjectionError.timedOut(
                                name: self.name, position: waiter.position, checkpoint: state.checkpoint)
                            expired.append((waiter, error))
                            return true
                        }
                        next = min(next ?? deadline, deadline)
                        return false
                    }
                    if let next {
                        state.timeoutWatch?.until = next
                    } else {
                        state.timeoutWatch = nil
                    }
                    return (expired, next)
                }
                for (waiter, error) in expired { waiter.continuation.resume(throwing: error) }
                guard let next else { return }
                until = next
            }
        }
        state.timeoutWatch = TimeoutWatch(task: task, until: deadline, generation: generation)
    }

    /// Fails the wait `id`; when it is not registered yet, leaves the error for it to find.
    private func failWaiter(_ id: Int, with failure: ProjectionError) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
                state.abandonedWaits[id] = failure
                return nil
            }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: failure)
    }
}
