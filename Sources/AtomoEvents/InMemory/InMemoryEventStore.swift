import Foundation
import Synchronization

/// An event store in memory, with exactly the semantics of ``SQLiteEventStore``.
///
/// For tests, prototypes and short-lived processes: nothing survives the process.
///
/// ```swift
/// let store = InMemoryEventStore()
/// try await store.append([event], to: try StreamName("Contact-1"), expectedVersion: .noStream)
/// ```
public final class InMemoryEventStore: EventStore {
    /// Limits and read behaviour.
    public struct Configuration: Sendable {
        /// The largest accepted event (payload, type and metadata), in bytes. Default 1 MiB.
        public var maximumEventSize: Int
        /// Upcasters applied on every read path.
        public var upcasters: UpcasterRegistry
        /// How many events a subscription reads at a time.
        public var subscriptionPageSize: Int

        /// Creates a configuration.
        public init(maximumEventSize: Int = 1 << 20, upcasters: [Upcaster] = [], subscriptionPageSize: Int = 1000) {
            self.maximumEventSize = maximumEventSize
            self.upcasters = UpcasterRegistry(upcasters)
            self.subscriptionPageSize = subscriptionPageSize
        }
    }

    private struct State {
        /// The log: the event at position p is at index p - 1.
        var events: [RecordedEvent] = []
        /// Each stream's events, as indexes into `events`, by stream version.
        var streams: [StreamName: [Int]] = [:]
        var indexByID: [UUID: Int] = [:]
    }

    /// The configuration.
    public let configuration: Configuration
    private let state = Mutex(State())
    private let signal = EventStoreChangeSignal()

    /// Creates an empty store.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Appends atomically; see ``EventStore/append(_:)``.
    public func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
        try AppendValidation.validate(appends, maximumEventSize: configuration.maximumEventSize)
        let committedAt = Date.nowTruncatedToMicroseconds()
        let (results, wrote) = try state.withLock { (state) throws(EventStoreError) -> ([AppendResult], Bool) in
            let stored = appends.map { append in
                append.events.map { event in state.indexByID[event.id].map { state.events[$0] } }
            }
            if let originals = try AppendValidation.originalResults(of: appends, stored: stored) {
                return (originals, false)
            }
            for append in appends {
                let actual = state.streams[append.stream].map { Int64($0.count - 1) }
                guard append.expectedVersion.isSatisfied(by: actual) else {
                    throw .wrongExpectedVersion(stream: append.stream, expected: append.expectedVersion, actual: actual)
                }
            }
            var results: [AppendResult] = []
            for append in appends {
                var indexes = state.streams[append.stream] ?? []
                let firstVersion = Int64(indexes.count)
                let firstPosition = Int64(state.events.count + 1)
                for event in append.events {
                    let index = state.events.count
                    state.events.append(
                        RecordedEvent(
                            id: event.id, stream: append.stream, streamVersion: Int64(indexes.count),
                            position: Int64(index + 1), type: event.type, schemaVersion: event.schemaVersion,
                            payload: event.payload, metadata: event.metadata, committedAt: committedAt))
                    state.indexByID[event.id] = index
                    indexes.append(index)
                }
                state.streams[append.stream] = indexes
                results.append(
                    AppendResult(
                        stream: append.stream, firstVersion: firstVersion, lastVersion: Int64(indexes.count - 1),
                        firstPosition: firstPosition, lastPosition: Int64(state.events.count)))
            }
            return (results, true)
        }
        if wrote { signal.notify() }
        return results
    }

    /// Reads a stream; see ``EventStore/readStream(_:from:direction:limit:tenant:)``.
    public func readStream(
        _ stream: StreamName, from start: StreamReadStart, direction: ReadDirection, limit: Int, tenant: String?
    ) async throws -> [RecordedEvent] {
        try ReadArguments.check(limit: limit, start: start)
        var events = state.withLock { state -> [RecordedEvent] in
            guard let indexes = state.streams[stream], !indexes.isEmpty, limit > 0 else { return [] }
            let last = indexes.count - 1
            let from: Int
            switch start {
            case .start: from = 0
            case .end: from = last
            case .version(let version): from = Int(clamping: version)
            }
            var result: [RecordedEvent] = []
            var version = direction == .forwards ? from : min(from, last)
            while version >= 0 && version <= last && result.count < limit {
                let event = state.events[indexes[version]]
                if tenant == nil || event.metadata.tenant == tenant { result.append(event) }
                version += direction == .forwards ? 1 : -1
            }
            return result
        }
        try configuration.upcasters.upcast(&events)
        return events
    }

    /// Reads the global order; see ``EventStore/readAllPage(after:limit:filter:)``.
    public func readAllPage(after position: Int64, limit: Int, filter: EventFilter) async throws -> EventPage {
        try ReadArguments.check(limit: limit, after: position, filter: filter)
        var page = state.withLock { state -> EventPage in
            var events: [RecordedEvent] = []
            var index = Int(clamping: position)
            while index < state.events.count && events.count < limit {
                let event = state.events[index]
                if filter.isEmpty || filter.matches(event) { events.append(event) }
                index += 1
            }
            let scanned = events.count == limit ? events[events.count - 1].position : Int64(state.events.count)
            return EventPage(events: events, scannedThrough: max(scanned, min(position, Int64(state.events.count))))
        }
        try configuration.upcasters.upcast(&page.events)
        return page
    }

    /// The version of `stream`, or nil when it has no events.
    public func streamVersion(_ stream: StreamName) async throws -> Int64? {
        state.withLock { state in state.streams[stream].map { Int64($0.count - 1) } }
    }

    /// The position of the last event (0 when empty).
    public func headPosition() async throws -> Int64 {
        state.withLock { Int64($0.events.count) }
    }

    /// Notified after each commit made through this store; see ``EventStore/changeSignal``.
    public var changeSignal: EventStoreChangeSignal? { signal }

    /// See ``EventStore/changePollInterval``.
    public var changePollInterval: Duration { .seconds(60) }

    /// Subscribes; see ``EventStore/subscribe(after:filter:)``.
    public func subscribe(after position: Int64, filter: EventFilter) -> EventSubscription {
        EventSubscription(
            after: position, filter: filter, pageSize: configuration.subscriptionPageSize,
            pollInterval: changePollInterval, signal: signal
        ) { [self] after, limit, filter in
            try await readAllPage(after: after, limit: limit, filter: filter)
        }
    }
}

/// Argument checks shared by the stores.
package enum ReadArguments {
    package static func check(limit: Int, start: StreamReadStart) throws(EventStoreError) {
        guard limit >= 0 else { throw .invalidArgument("limit \(limit) is negative") }
        if case .version(let version) = start, version < 0 {
            throw .invalidArgument("version \(version) is negative")
        }
    }

    package static func check(limit: Int, after position: Int64, filter: EventFilter) throws(EventStoreError) {
        guard limit >= 0 else { throw .invalidArgument("limit \(limit) is negative") }
        guard position >= 0 else { throw .invalidArgument("position \(position) is negative") }
        if let categories = filter.categories, let invalid = categories.first(where: { !StreamName.isValidCategory($0) }) {
            throw .invalidArgument("\"\(invalid.prefix(64))\" is not a valid category")
        }
    }
}
