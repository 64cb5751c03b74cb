import Foundation

/// The last appends this store committed, kept so that live readers of the global order (projection
/// runners, subscriptions) get the events they were just woken for without a database read.
///
/// A runner that follows the log reads right after every commit: a page of the few events just
/// written, read back through a reader connection on another thread. This keeps those appends as
/// they were committed and serves ``SQLiteEventStore/readAllPage(after:limit:filter:)`` from them
/// when the page starts inside what is kept.
///
/// Correctness rests on one invariant: the kept events are *every* event of the log between the first
/// and the last kept position. The single writer makes positions gapless in commit order, so each
/// commit's fresh events follow the previous ones; when they do not (another process, or another
/// store on the same database, wrote in between) everything before is dropped. A page never extends
/// past the last kept position, so events written afterwards by someone else are read from the
/// database by the next read, never skipped.
///
/// The writer only records references to the committed appends (no events are built on its thread);
/// the reader materializes them.
struct RecentCommits: Sendable {
    /// One transaction's fresh appends: positions `first...last`, all of them.
    fileprivate struct Commit: Sendable {
        var first: Int64
        var last: Int64
        var appends: [(StreamAppend, AppendResult)]
        var committedAt: Date
        /// The payload bytes of its events.
        var bytes: Int
    }

    /// How many events are kept at most (the oldest whole commits are dropped beyond it).
    let capacity: Int
    /// How many payload bytes are kept at most, likewise: large events must not pin memory.
    let maximumBytes: Int
    /// A ring of commits, oldest at `oldest`; allocated on the first commit. Every commit holds at
    /// least one event, so `capacity` slots always suffice.
    private var ring: [Commit] = []
    private var oldest = 0
    private var kept = 0
    private var events = 0
    private var bytes = 0
    /// Set when the store closes: nothing is kept or answered any more.
    private var isClosed = false

    init(capacity: Int, maximumBytes: Int) {
        self.capacity = max(0, capacity)
        self.maximumBytes = max(0, maximumBytes)
    }

    /// Whether anything can be kept at all.
    var isEnabled: Bool { capacity > 0 && maximumBytes > 0 && !isClosed }

    /// Records one transaction's fresh appends with their results; drops everything kept when they do
    /// not directly follow it, or when their positions are not contiguous.
    mutating func record(_ appends: [(StreamAppend, AppendResult)], committedAt: Int64) {
        guard isEnabled, !appends.isEmpty else { return }
        var first = Int64.max
        var last = Int64.min
        var count = 0
        var size = 0
        for (append, result) in appends {
            first = min(first, result.firstPosition)
            last = max(last, result.lastPosition)
            count += append.events.count
            for event in append.events { size += event.payload.count }
        }
        guard Int64(count) == last - first + 1, count <= capacity, size <= maximumBytes else {
            removeAll()
            return
        }
        if kept > 0, self[kept - 1].last + 1 != first { removeAll() }
        let commit = Commit(
            first: first, last: last, appends: appends, committedAt: Date(microsecondsSince1970: committedAt), bytes: size)
        if ring.isEmpty {
            ring = Array(repeating: Commit(first: 0, last: -1, appends: [], committedAt: commit.committedAt, bytes: 0), count: capacity)
        }
        while kept > 0 && (events + count > capacity || bytes + size > maximumBytes) {
            events -= Int(ring[oldest].last - ring[oldest].first + 1)
            bytes -= ring[oldest].bytes
            ring[oldest].appends = []
            oldest = (oldest + 1) % ring.count
            kept -= 1
        }
        ring[(oldest + kept) % ring.count] = commit
        kept += 1
        events += count
        bytes += size
    }

    /// Forgets every kept commit and keeps none from now on (a flush still running as the store
    /// closes cannot add one back).
    mutating func close() {
        removeAll()
        isClosed = true
    }

    /// Forgets every kept commit.
    mutating func removeAll() {
        for index in 0..<kept { ring[(oldest + index) % ring.count].appends = [] }
        oldest = 0
        kept = 0
        events = 0
        bytes = 0
    }

    /// The `index`th kept commit, oldest first.
    private subscript(index: Int) -> Commit { ring[(oldest + index) % ring.count] }

    /// The kept commits that hold positions after `position`, when the first of them holds
    /// `position + 1`; nil when the page must come from the database.
    func commits(after position: Int64) -> Slice? {
        guard kept > 0, position >= self[0].first - 1, position < self[kept - 1].last else { return nil }
        // Binary search for the commit holding position + 1.
        var low = 0
        var high = kept - 1
        while low < high {
            let middle = (low + high) / 2
            if self[middle].last <= position { low = middle + 1 } else { high = middle }
        }
        return Slice(commits: (low..<kept).map { self[$0] })
    }

    /// Kept commits taken out of the lock, to be turned into a page by the reader.
    struct Slice: Sendable {
        fileprivate var commits: [Commit]

        /// The events after `position` that match `filter`, at most `limit`, in position order, with
        /// the position the page saw through: the last event's when full, else the last kept position.
        func page(after position: Int64, limit: Int, filter: EventFilter) -> EventPage {
            var events: [RecordedEvent] = []
            var scanned = position
            for commit in commits {
                for event in committedEvents(commit.appends, committedAt: commit.committedAt, after: position) {
                    guard filter.matches(event) else { continue }
                    events.append(event)
                    if events.count == limit { return EventPage(events: events, scannedThrough: event.position) }
                }
                scanned = commit.last
            }
            return EventPage(events: events, scannedThrough: scanned)
        }
    }
}

/// The events `appends` wrote, as readers of the log see them, in position order: positions are
/// contiguous within each stream's part (one writer, rowids), so nothing needs reading back. Only
/// those after `position`.
func committedEvents(
    _ appends: some Sequence<(StreamAppend, AppendResult)>, committedAt: Date, after position: Int64 = 0
) -> [RecordedEvent] {
    var events: [RecordedEvent] = []
    for (append, result) in appends {
        for (offset, event) in append.events.enumerated() where result.firstPosition + Int64(offset) > position {
            events.append(
                RecordedEvent(
                    id: event.id, stream: append.stream, streamVersion: result.firstVersion + Int64(offset),
                    position: result.firstPosition + Int64(offset), type: event.type,
                    schemaVersion: event.schemaVersion, payload: event.payload, metadata: event.metadata,
                    committedAt: committedAt))
        }
    }
    // A multi-stream append writes its streams one after another: position order is the order
    // readers of the global log see.
    events.sort { $0.position < $1.position }
    return events
}
