import AtomoEvents
import CoreMetrics
import Foundation
import Logging
import Synchronization

// The runner's bookkeeping: what it applied, what failed, where the head is. Called by the loop and
// by the `BatchApplier`; never per event, only per batch or per failure.
extension ProjectionRunner {
    func setPhaseIfNotParked(_ phase: ProjectionHealth.State) {
        let current = state.withLock { $0.phase }
        if current != phase && current != .parked && current != .stopped { setPhase(phase) }
    }

    func refreshHead() async {
        guard let head = try? await store.headPosition() else { return }
        state.withLock { state in state.head = max(state.head, head) }
        metrics.head.record(head)
    }

    func updateLagMetrics() {
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
}

extension ProjectionRunner: BatchApplierHost {
    var isStopRequested: Bool { stopRequested }

    var controlGeneration: UInt64 { control.generation }

    func recordSuccess(_ events: [RecordedEvent], checkpoint: Int64, started: ContinuousClock.Instant) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.checkpoint = checkpoint
            state.eventsApplied += Int64(events.count)
            if let last = events.last { state.lastAppliedCommit = last.committedAt }
            if let failure = state.lastError, let position = failure.position, position <= checkpoint {
                state.lastError = nil
            }
            state.throughput.record(total: state.eventsApplied, at: now)
        }
        waiters.advance(to: checkpoint)
        if !events.isEmpty {
            metrics.events.increment(by: events.count)
            metrics.batches.increment()
            let elapsed = (now - started).components
            metrics.batchTime.recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
        }
        metrics.checkpoint.record(checkpoint)
    }

    func recordFailure(position: Int64?, eventType: String?, error: any Error, attempts: Int) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.errorCount += 1
            state.errorRate.record(total: Int64(state.errorCount), at: now)
            state.lastError = ProjectionHealth.Failure(
                position: position, eventType: eventType, message: "\(error)", attempts: attempts, at: Date())
        }
        metrics.errors.increment()
        logger.warning(
            "projection attempt failed",
            metadata: [
                "position": .string(position.map { "\($0)" } ?? "-"), "eventType": .string(eventType ?? "-"),
                "attempts": "\(attempts)", "error": "\(error)",
            ])
    }

    func recordSkipped(_ event: SkippedEvent) {
        state.withLock { state in
            state.checkpoint = event.position
            state.skipped.append(event)
        }
        waiters.advance(to: event.position)
        metrics.skipped.increment()
        metrics.checkpoint.record(event.position)
        logger.warning(
            "skipped a failing event",
            metadata: [
                "position": "\(event.position)", "eventType": .string(event.eventType), "error": .string(event.error),
            ])
    }

    func requestStop(_ error: ProjectionError) {
        state.withLock { state in
            state.stopRequested = true
            if state.finalError == nil { state.finalError = error }
        }
    }

    func showRetrying(_ retrying: Bool) {
        if retrying { setPhase(.retrying) } else { setPhaseIfNotParked(.catchingUp) }
    }

    func pause(_ duration: Duration, controlSeen: UInt64) async {
        await control.wait(after: controlSeen, timeout: duration)
    }
}
