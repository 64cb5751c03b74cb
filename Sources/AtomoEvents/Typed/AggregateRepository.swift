public import Foundation

/// Loads aggregates by replaying their streams and saves their new events with optimistic
/// concurrency: the loaded version is the expected version, so two writers that loaded the same
/// version cannot both save.
///
/// ```swift
/// let contacts = AggregateRepository<Contact>(store: store)
/// var contact = try await contacts.load("42")
/// contact.record(ContactRenamed(name: "Ada Lovelace"))
/// try await contacts.save(&contact, metadata: EventMetadata(actor: "user-7"))
/// ```
public struct AggregateRepository<State: Aggregate>: Sendable {
    /// The store the aggregates live in.
    public let store: any EventStore
    /// Decodes the aggregate's event types.
    public let registry: EventTypeRegistry
    /// How many events are read at a time while replaying.
    public var pageSize = 1000

    /// Creates a repository.
    public init(store: any EventStore, codec: JSONEventCodec = JSONEventCodec()) {
        self.store = store
        self.registry = EventTypeRegistry(State.eventTypes, codec: codec)
    }

    /// The stream of aggregate `id`.
    public func stream(for id: String) throws(EventStoreError) -> StreamName {
        try StreamName(category: State.category, id: id)
    }

    /// Loads aggregate `id` with all its events (a new aggregate when the stream is empty).
    public func load(_ id: String) async throws -> AggregateRoot<State> {
        try await replay(id) { _ in true }
    }

    /// Loads aggregate `id` as it was at stream version `version` (inclusive).
    public func load(_ id: String, atVersion version: Int64) async throws -> AggregateRoot<State> {
        try await replay(id) { $0.streamVersion <= version }
    }

    /// Loads aggregate `id` as it was at `date`: with the events committed at or before it.
    public func load(_ id: String, asOf date: Date) async throws -> AggregateRoot<State> {
        try await replay(id) { $0.committedAt <= date }
    }

    /// Appends the pending events of `root` with its loaded version as the expected version.
    ///
    /// - Returns: the append's result, or nil when there was nothing to save.
    /// - Throws: ``EventStoreError/wrongExpectedVersion(stream:expected:actual:)`` when someone
    ///   else saved the aggregate since it was loaded.
    @discardableResult
    public func save(_ root: inout AggregateRoot<State>, metadata: EventMetadata = .none) async throws -> AppendResult? {
        guard !root.pendingEvents.isEmpty else { return nil }
        let events = try root.pendingEvents.map { event in try encode(event, metadata: metadata) }
        let result = try await store.append(
            events, to: try stream(for: root.id), expectedVersion: root.version.map { .exact($0) } ?? .noStream)
        root.markSaved(at: result.lastVersion)
        return result
    }

    private func encode(_ event: some Event, metadata: EventMetadata) throws -> EventData {
        try registry.codec.encode(event, metadata: metadata)
    }

    /// Folds the stream's events while `include` holds (events are in version order).
    private func replay(_ id: String, while include: (RecordedEvent) -> Bool) async throws -> AggregateRoot<State> {
        let stream = try stream(for: id)
        var state = State(id: id)
        var version: Int64?
        var next: Int64 = 0
        reading: while true {
            let page = try await store.readStream(stream, from: .version(next), direction: .forwards, limit: pageSize, tenant: nil)
            for recorded in page {
                guard include(recorded) else { break reading }
                if let event = try registry.decode(recorded) { state.apply(event) }
                version = recorded.streamVersion
            }
            guard let last = page.last, page.count == pageSize else { break }
            next = last.streamVersion + 1
        }
        return AggregateRoot(state: state, version: version)
    }
}
