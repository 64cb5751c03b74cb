import AtomoEvents
import AtomoSQL

/// How a runner applies batches and keeps the checkpoint, whatever the projector's kind:
/// at-least-once for a ``Projector`` with a ``CheckpointStore``, exactly-once for a ``SQLProjector``
/// whose read-model writes and checkpoint share one transaction.
struct ProjectionTarget: Sendable {
    let name: String
    let eventTypes: Set<String>?
    /// Creates what is missing and returns the checkpoint.
    let prepare: @Sendable () async throws -> Int64
    /// Applies `events` and moves the checkpoint from the first position to the second.
    let apply: @Sendable (_ events: [RecordedEvent], _ from: Int64, _ to: Int64) async throws -> Void
    /// Records a skipped event and moves the checkpoint from the position given to the event's.
    let skip: @Sendable (_ event: SkippedEvent, _ from: Int64) async throws -> Void
    /// Empties the read model and sets the checkpoint to 0.
    let reset: @Sendable () async throws -> Void

    static func atLeastOnce(_ projector: any Projector, checkpoints: any CheckpointStore) -> ProjectionTarget {
        let name = projector.name
        return ProjectionTarget(
            name: name, eventTypes: projector.eventTypes,
            prepare: { try await checkpoints.load(name) },
            apply: { events, _, to in
                if !events.isEmpty { try await projector.apply(events) }
                try await checkpoints.save(name, position: to)
            },
            skip: { event, _ in
                try await checkpoints.recordSkipped(event)
                try await checkpoints.save(name, position: event.position)
            },
            reset: {
                try await projector.reset()
                try await checkpoints.save(name, position: 0)
            })
    }

    static func transactional(_ projector: any SQLProjector, database: any SQLDatabase) -> ProjectionTarget {
        transactional(opened: projector, database: database)
    }

    private static func transactional<P: SQLProjector>(opened projector: P, database: any SQLDatabase) -> ProjectionTarget {
        let name = projector.name
        return ProjectionTarget(
            name: name, eventTypes: projector.eventTypes,
            prepare: {
                try await database.writeTransaction { connection in
                    try SQLCheckpointStore.createTables(in: connection)
                    try projector.createSchema(in: connection)
                    if let position = try SQLCheckpointStore.load(name, in: connection) { return position }
                    try SQLCheckpointStore.save(name, position: 0, in: connection)
                    return 0
                }
            },
            apply: { events, from, to in
                // Before the transaction: see SQLProjector.prepare(_:).
                let prepared = events.isEmpty ? nil : try projector.prepare(events)
                try await database.writeTransaction { connection in
                    if let prepared { try projector.apply(events, prepared: prepared, in: connection) }
                    try SQLCheckpointStore.advance(name, from: from, to: to, in: connection)
                }
            },
            skip: { event, from in
                try await database.writeTransaction { connection in
                    try SQLCheckpointStore.recordSkipped(event, in: connection)
                    try SQLCheckpointStore.advance(name, from: from, to: event.position, in: connection)
                }
            },
            reset: {
                try await database.writeTransaction { connection in
                    try projector.reset(in: connection)
                    try SQLCheckpointStore.remove(name, in: connection)
                    try SQLCheckpointStore.save(name, position: 0, in: connection)
                }
            })
    }
}
