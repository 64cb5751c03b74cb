import AtomoEvents
import AtomoProjection
import AtomoSchema

extension ContentEngine {
    /// Whether every read model has caught up with the log's head, read when the call begins.
    ///
    /// A read model this process applies is given up to `settle` to reach the head, waited for by
    /// its runner's notification (``ProjectionRunner/waitUntilCaughtUp(to:timeout:)``), not by
    /// polling: a healthy engine answers at once, and one with writes in flight as soon as they are
    /// applied. A read model another node applies (PostgreSQL: this process's runner is in
    /// `standby`) is judged by its stored checkpoint, read again every 50 ms within the same
    /// `settle`, since no signal crosses processes for checkpoints. A parked projector is reported
    /// at once.
    ///
    /// - Throws: ``ContentError/notRunning``, or a storage failure reading the head or checkpoints.
    public func readModelHealth(settle: Duration = .seconds(1)) async throws(ContentError) -> ReadModelHealth {
        let context = try running()
        let head: Int64
        do {
            head = try await events.headPosition()
        } catch {
            throw ContentError.wrap(error)
        }
        let deadline = ContinuousClock.now + settle
        var remote: [String] = []
        for entity in context.model.schema.entities {
            guard let runner = context.readModels[entity.name]?.blueGreen.runner else { continue }
            switch runner.health().state {
            case .standby:
                remote.append(entity.name)
            case .starting, .catchingUp, .live, .retrying:
                // A failure (parked, stopped, timed out) shows in the checkpoint and the status below.
                try? await runner.waitUntilCaughtUp(to: head, timeout: max(.zero, deadline - .now))
            case .parked, .stopped:
                break
            }
        }
        var statuses = try await readModelStatus()
        while !remote.isEmpty, ContinuousClock.now < deadline,
            statuses.contains(where: { remote.contains($0.entity) && $0.checkpoint < head })
        {
            try? await Task.sleep(for: .milliseconds(50))
            statuses = try await readModelStatus()
        }
        var behind: [String: Int64] = [:]
        for status in statuses where status.checkpoint < head { behind[status.entity] = head - status.checkpoint }
        let projectors = await daemon.status()
        return ReadModelHealth(
            head: head, readModels: statuses, behind: behind,
            parked: projectors.filter { $0.state == .parked }.map(\.name), projectors: projectors)
    }
}
