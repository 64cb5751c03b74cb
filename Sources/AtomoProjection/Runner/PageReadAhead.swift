import AtomoEvents

/// Pages of the log read ahead of the batch being applied, each on a reader connection of its own.
///
/// The first read-ahead page starts exactly after the page just read. When the runner reads every
/// event type, the following ones start `batchSize` positions further each: *speculative* reads,
/// right whenever pages come back full and contiguous (always, on the SQLite store, whose positions
/// are gapless). A page is only ever used when it starts exactly at the checkpoint, so a wrong guess
/// costs a wasted read, never a skipped or repeated event.
struct PageReadAhead {
    private var pending: [(after: Int64, task: Task<EventPage, any Error>)] = []
    let depth: Int
    let batchSize: Int
    let filter: EventFilter
    let store: any EventStore

    init(depth: Int, batchSize: Int, filter: EventFilter, store: any EventStore) {
        self.depth = max(0, depth)
        self.batchSize = batchSize
        self.filter = filter
        self.store = store
    }

    /// The page after `position`: the read-ahead one when it starts there, else read now.
    mutating func page(after position: Int64) async throws -> EventPage {
        if let first = pending.first, first.after == position {
            pending.removeFirst()
            return try await first.task.value
        }
        cancelAll()
        return try await store.readAllPage(after: position, limit: batchSize, filter: filter)
    }

    /// Starts reading ahead after `through`, the end of a full page.
    mutating func refill(after through: Int64) {
        guard depth > 0 else { return }
        if let first = pending.first, first.after != through { cancelAll() }
        let wanted = filter.isEmpty ? depth : 1
        var next = pending.last.map { $0.after + Int64(batchSize) } ?? through
        while pending.count < wanted {
            let (store, filter, limit, after) = (store, filter, batchSize, next)
            pending.append((after, Task { try await store.readAllPage(after: after, limit: limit, filter: filter) }))
            next += Int64(batchSize)
        }
    }

    /// Drops every read-ahead page.
    mutating func cancelAll() {
        for entry in pending { entry.task.cancel() }
        pending.removeAll()
    }
}
