/// The events of a store's global order after a position, caught up and then live, as an
/// `AsyncSequence`.
///
/// The sequence pulls pages from the store as the consumer asks for them (so a slow consumer
/// applies backpressure and memory stays bounded by one page), and when it has caught up it
/// waits for the store's ``EventStoreChangeSignal`` — or for the polling interval, which covers
/// writers in other processes and lost notifications. Catch-up and live delivery are the same loop
/// over positions, so the hand-off between them can neither skip nor repeat an event.
///
/// ```swift
/// for try await event in store.subscribe(after: checkpoint, filter: .category("Contact")) {
///     try await project(event)
/// }
/// ```
///
/// Cancelling the consuming task ends the iteration (it returns nil) and releases its waiter.
public struct EventSubscription: AsyncSequence, Sendable {
    /// Element type.
    public typealias Element = RecordedEvent
    /// Reads a page of the global order: `(after, limit, filter)`.
    public typealias PageReader = @Sendable (Int64, Int, EventFilter) async throws -> EventPage

    let position: Int64
    let filter: EventFilter
    let pageSize: Int
    /// The longest wait before looking at the store again without a signal.
    let pollInterval: Duration
    /// The store's change signal, if it has one.
    let signal: EventStoreChangeSignal?
    let readPage: PageReader

    /// Creates a subscription over any page reader; stores use this to implement
    /// ``EventStore/subscribe(after:filter:)``.
    ///
    /// - Parameters:
    ///   - position: deliver events after this position.
    ///   - filter: which events to deliver.
    ///   - pageSize: how many events to read at a time.
    ///   - pollInterval: the longest wait before looking at the store again without a signal.
    ///   - signal: wakes the subscription when the store commits; nil means polling only.
    ///   - readPage: reads one page (see ``EventStore/readAllPage(after:limit:filter:)``).
    public init(
        after position: Int64, filter: EventFilter, pageSize: Int = 1000, pollInterval: Duration = .seconds(1),
        signal: EventStoreChangeSignal?, readPage: @escaping PageReader
    ) {
        self.position = position
        self.filter = filter
        self.pageSize = Swift.max(1, pageSize)
        self.pollInterval = pollInterval
        self.signal = signal
        self.readPage = readPage
    }

    /// Creates the iterator.
    public func makeAsyncIterator() -> Iterator { Iterator(subscription: self, position: position) }

    /// Iterates a subscription; see ``EventSubscription``.
    public struct Iterator: AsyncIteratorProtocol {
        let subscription: EventSubscription
        var position: Int64
        var buffer: [RecordedEvent] = []
        var index = 0

        /// The next event, waiting for one to commit if needed; nil once the task is cancelled.
        public mutating func next() async throws -> RecordedEvent? {
            while true {
                if index < buffer.count {
                    defer { index += 1 }
                    return buffer[index]
                }
                if Task.isCancelled { return nil }
                let seen = subscription.signal?.generation ?? 0
                let page: EventPage
                do {
                    page = try await subscription.readPage(position, subscription.pageSize, subscription.filter)
                } catch is CancellationError {
                    return nil
                }
                buffer = page.events
                index = 0
                position = Swift.max(position, page.scannedThrough, page.events.last?.position ?? 0)
                if buffer.isEmpty {
                    if let signal = subscription.signal {
                        await signal.wait(after: seen, timeout: subscription.pollInterval)
                    } else {
                        try? await Task.sleep(for: subscription.pollInterval)
                    }
                }
            }
        }
    }
}
