/// An append-only log of events in streams, with one global order.
///
/// The contract every implementation keeps (and ``AtomoTesting``'s conformance suite checks):
/// - An append is atomic for all its events, across every stream it names, and checks each
///   stream's ``ExpectedVersion``; a conflict throws ``EventStoreError/wrongExpectedVersion(stream:expected:actual:)``
///   and writes nothing.
/// - Re-appending event ids that are stored returns the original ``AppendResult`` and writes nothing;
///   the same id with different content throws ``EventStoreError/idempotencyConflict(eventID:reason:)``.
/// - Stream versions count from 0. Global positions are strictly increasing and never reused.
/// - A reader of the global order never skips an event that commits later with a lower position.
/// - Every read path applies the store's upcasters, so readers see each event's current shape.
///
/// ```swift
/// let store = try SQLiteEventStore(path: "events.sqlite")
/// let stream = try StreamName("Contact-1")
/// try await store.append([EventData(type: "ContactCreated", payload: Data("{}".utf8))],
///                        to: stream, expectedVersion: .noStream)
/// for try await event in store.subscribe(after: 0) { print(event.position, event.type) }
/// ```
public protocol EventStore: Sendable {
    /// Appends events to one or more streams atomically: all of them or none.
    ///
    /// - Returns: one result per ``StreamAppend``, in the same order.
    func append(_ appends: [StreamAppend]) async throws -> [AppendResult]

    /// Reads up to `limit` events of `stream` from `start` in `direction`.
    ///
    /// With a `tenant`, only that tenant's events are returned. A stream that does not exist reads
    /// as empty.
    func readStream(
        _ stream: StreamName, from start: StreamReadStart, direction: ReadDirection, limit: Int, tenant: String?
    ) async throws -> [RecordedEvent]

    /// Reads up to `limit` events of the global order with a position above `position`, that pass `filter`.
    func readAllPage(after position: Int64, limit: Int, filter: EventFilter) async throws -> EventPage

    /// The version of `stream`, or nil when it has no events.
    func streamVersion(_ stream: StreamName) async throws -> Int64?

    /// The highest position that readers can see (0 for an empty store).
    func headPosition() async throws -> Int64

    /// Delivers every event after `position` that passes `filter`: first those already stored
    /// (catch-up), then new ones as they commit (live), each exactly once and in position order.
    ///
    /// Cancelling the consuming task ends the sequence and frees what it held.
    func subscribe(after position: Int64, filter: EventFilter) -> EventSubscription

    /// The signal the store notifies after each commit made through it, or nil when it has none
    /// (the default). Readers that have caught up (subscriptions, projection runners) wait on it,
    /// and fall back to looking again every ``changePollInterval``, which also covers writers in
    /// other processes.
    var changeSignal: EventStoreChangeSignal? { get }

    /// The longest a caught-up reader waits before looking at the store again without a signal
    /// (default 1 second).
    var changePollInterval: Duration { get }
}

extension EventStore {
    /// No change signal: readers poll every ``changePollInterval``.
    public var changeSignal: EventStoreChangeSignal? { nil }

    /// One second.
    public var changePollInterval: Duration { .seconds(1) }
}

extension EventStore {
    /// Appends `events` to `stream` atomically.
    ///
    /// ```swift
    /// let result = try await store.append(events, to: stream, expectedVersion: .exact(2))
    /// result.lastVersion   // the stream's new version
    /// ```
    @discardableResult
    public func append(
        _ events: [EventData], to stream: StreamName, expectedVersion: ExpectedVersion = .any
    ) async throws -> AppendResult {
        let results = try await append([StreamAppend(to: stream, expectedVersion: expectedVersion, events: events)])
        return results[0]
    }

    /// Reads a stream; by default all of it, forwards from version 0.
    public func readStream(
        _ stream: StreamName, from start: StreamReadStart = .start, direction: ReadDirection = .forwards,
        limit: Int = .max
    ) async throws -> [RecordedEvent] {
        try await readStream(stream, from: start, direction: direction, limit: limit, tenant: nil)
    }

    /// Reads up to `limit` events of the global order after `position` that pass `filter`.
    public func readAll(after position: Int64 = 0, limit: Int = 1000, filter: EventFilter = .all) async throws
        -> [RecordedEvent]
    {
        try await readAllPage(after: position, limit: limit, filter: filter).events
    }

    /// Subscribes to every event after `position`.
    public func subscribe(after position: Int64 = 0) -> EventSubscription {
        subscribe(after: position, filter: .all)
    }
}
