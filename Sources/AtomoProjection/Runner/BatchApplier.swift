import AtomoEvents
import Foundation

/// What applying a batch came to.
enum BatchOutcome {
    /// The checkpoint is now at this position.
    case applied(Int64)
    /// Parked on an event: the checkpoint is just before it.
    case parked(checkpoint: Int64, event: ProjectionHealth.ParkedEvent)
}

/// What the ``BatchApplier`` reports to, and asks of, the runner it works for.
protocol BatchApplierHost: AnyObject, Sendable {
    /// Whether a stop was asked for: the applier returns at the next event.
    var isStopRequested: Bool { get }
    /// The generation of the runner's control signal (stop, resume, rebuild requests).
    var controlGeneration: UInt64 { get }
    /// `events` and the checkpoint `checkpoint` committed; `started` is when the attempt began.
    func recordSuccess(_ events: [RecordedEvent], checkpoint: Int64, started: ContinuousClock.Instant)
    /// An attempt failed.
    func recordFailure(position: Int64?, eventType: String?, error: any Error, attempts: Int)
    /// `event` was skipped and the checkpoint moved to it.
    func recordSkipped(_ event: SkippedEvent)
    /// The runner must stop with `error` (the checkpoint moved under it).
    func requestStop(_ error: ProjectionError)
    /// The state to show while waiting before another attempt (`retrying`), or after one
    /// succeeded (`catchingUp`).
    func showRetrying(_ retrying: Bool)
    /// Sleeps for `duration`, or less when a control request comes in after `controlSeen`.
    func pause(_ duration: Duration, controlSeen: UInt64) async
}

/// The split / retry / park / skip policy of a runner (``ProjectionErrorPolicy``), on its own.
///
/// A batch is applied whole first — the only work on the hot path. When it fails, it is applied again
/// event by event, so that everything before the failing event is committed with its checkpoint and
/// the failing event is known exactly; that event is retried with backoff, then the runner parks on
/// it or skips it (recording it, in the transaction that moves the checkpoint past it). A moved
/// checkpoint (another runner) is never retried over: the runner stops. Nothing is skipped silently.
struct BatchApplier: Sendable {
    let name: String
    let target: ProjectionTarget
    let policy: ProjectionErrorPolicy

    /// Applies `events` and moves the checkpoint from `from` to `to`, following the policy on failure.
    func apply<Host: BatchApplierHost>(
        _ events: [RecordedEvent], from: Int64, to: Int64, host: Host
    ) async -> BatchOutcome {
        let started = ContinuousClock.now
        do {
            try await target.apply(events, from, to)
            host.recordSuccess(events, checkpoint: to, started: started)
            return .applied(to)
        } catch let error as ProjectionError where error.isCheckpointConflict {
            host.recordFailure(
                position: events.first?.position, eventType: events.first?.type, error: error, attempts: 1)
            host.requestStop(error)
            return .applied(from)
        } catch {
            host.recordFailure(
                position: events.first?.position, eventType: events.first?.type, error: error, attempts: 1)
        }
        var checkpoint = from
        for event in events {
            switch await applyAlone(event, from: checkpoint, host: host) {
            case .applied(let position): checkpoint = position
            case .stopped: return .applied(checkpoint)
            case .parked(let parked): return .parked(checkpoint: checkpoint, event: parked)
            }
        }
        if checkpoint < to {
            // Events of other types after the last one of the batch: move the checkpoint past them.
            do {
                try await target.apply([], checkpoint, to)
                host.recordSuccess([], checkpoint: to, started: ContinuousClock.now)
                checkpoint = to
            } catch {
                host.recordFailure(position: nil, eventType: nil, error: error, attempts: 1)
            }
        }
        return .applied(checkpoint)
    }

    /// Records the parked event as skipped and moves the checkpoint from `from` to it, in one
    /// transaction for SQL projectors.
    func skip<Host: BatchApplierHost>(
        _ parked: ProjectionHealth.ParkedEvent, from: Int64, host: Host
    ) async throws -> SkippedEvent {
        let skipped = SkippedEvent(
            projector: name, position: parked.position, eventID: parked.eventID, eventType: parked.eventType,
            error: parked.message, skippedAt: Date())
        try await target.skip(skipped, from)
        host.recordSkipped(skipped)
        return skipped
    }

    private enum SingleOutcome {
        case applied(Int64)
        case stopped
        case parked(ProjectionHealth.ParkedEvent)
    }

    /// Applies one event on its own, with retries; then parks or skips.
    private func applyAlone<Host: BatchApplierHost>(
        _ event: RecordedEvent, from checkpoint: Int64, host: Host
    ) async -> SingleOutcome {
        var attempts = 0
        while true {
            let controlSeen = host.controlGeneration
            if host.isStopRequested { return .stopped }
            let started = ContinuousClock.now
            do {
                try await target.apply([event], checkpoint, event.position)
                host.recordSuccess([event], checkpoint: event.position, started: started)
                if attempts > 0 { host.showRetrying(false) }
                return .applied(event.position)
            } catch let error as ProjectionError where error.isCheckpointConflict {
                host.recordFailure(
                    position: event.position, eventType: event.type, error: error, attempts: attempts + 1)
                host.requestStop(error)
                return .stopped
            } catch {
                attempts += 1
                host.recordFailure(position: event.position, eventType: event.type, error: error, attempts: attempts)
                guard attempts >= policy.maxAttempts else {
                    host.showRetrying(true)
                    await host.pause(policy.delay(afterAttempt: attempts), controlSeen: controlSeen)
                    continue
                }
                let parked = ProjectionHealth.ParkedEvent(
                    position: event.position, eventID: event.id, eventType: event.type, message: "\(error)",
                    attempts: attempts, since: Date())
                switch policy.whenExhausted {
                case .park:
                    return .parked(parked)
                case .skip:
                    do {
                        _ = try await skip(parked, from: checkpoint, host: host)
                    } catch {
                        host.recordFailure(
                            position: event.position, eventType: event.type, error: error, attempts: attempts)
                        return .parked(parked)
                    }
                    host.showRetrying(false)
                    return .applied(event.position)
                }
            }
        }
    }
}
