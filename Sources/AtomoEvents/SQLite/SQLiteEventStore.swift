import Foundation
public import AtomoSQLite
import Synchronization
import AtomoSQL

/// An event store in a SQLite file (or in memory): embedded, durable, fast.
///
/// - **Group commit.** Appends from concurrent tasks are queued for the single writer thread, which
///   commits everything waiting in one transaction. Each append runs inside its own savepoint, so a
///   conflicting append fails alone while the others commit. Many small concurrent appends thus
///   cost about one commit between them.
/// - **Readers in parallel.** Reads run on a pool of reader connections (WAL mode) and never wait
///   for the writer.
/// - **Durability** is ``SQLiteDatabase/Configuration/Durability``: `.normal` (default) survives a
///   process crash; `.full` also survives power loss, at the cost of an `fsync` per commit.
/// - **Other processes** may open the same file; their appends are serialised by SQLite's lock and
///   this store's subscriptions see them within ``Configuration/pollInterval``.
///
/// ```swift
/// let store = try await SQLiteEventStore(path: "events.sqlite")
/// let stream = try StreamName("Order-1001")
/// let result = try await store.append(
///     [EventData(type: "OrderPlaced", payload: Data(#"{"total":42}"#.utf8))],
///     to: stream, expectedVersion: .noStream)
/// let history = try await store.readStream(stream)
/// ```
public final class SQLiteEventStore: EventStore {
    /// Storage, limits and read behaviour.
    public struct Configuration: Sendable {
        /// The SQLite connections: reader count, durability, busy timeout, cache.
        public var database: SQLiteDatabase.Configuration
        /// The largest accepted event (payload, type and metadata), in bytes. Default 1 MiB.
        public var maximumEventSize: Int
        /// Upcasters applied on every read path.
        public var upcasters: UpcasterRegistry
        /// How long a caught-up subscription waits before looking again without an in-process signal.
        /// Bounds the delay for events written by other processes.
        public var pollInterval: Duration
        /// How many events a subscription reads at a time.
        public var subscriptionPageSize: Int
        /// Read models updated inside each append's transaction (read-your-writes), in this order.
        /// Empty by default, and then appending costs nothing extra.
        public var inlineProjections: [any InlineProjection]
        /// How many of the events this store committed last it keeps in memory, to serve global-order
        /// reads that start among them (live projection runners and subscriptions) without reading
        /// the database. 0 turns this off. Default 4,096.
        public var recentEventCapacity: Int
        /// The most payload bytes those kept events may hold; the oldest are dropped beyond it.
        /// Default 8 MiB.
        public var recentEventBytes: Int

        /// Creates a configuration.
        public init(
            database: SQLiteDatabase.Configuration = .init(), maximumEventSize: Int = 1 << 20,
            upcasters: [Upcaster] = [], pollInterval: Duration = .milliseconds(500), subscriptionPageSize: Int = 1000,
            inlineProjections: [any InlineProjection] = [], recentEventCapacity: Int = 4096,
            recentEventBytes: Int = 8 << 20
        ) {
            self.database = database
            self.maximumEventSize = maximumEventSize
            self.upcasters = UpcasterRegistry(upcasters)
            self.pollInterval = pollInterval
            self.subscriptionPageSize = subscriptionPageSize
            self.inlineProjections = inlineProjections
            self.recentEventCapacity = recentEventCapacity
            self.recentEventBytes = recentEventBytes
        }
    }

    /// An append waiting for the writer.
    private struct PendingAppend {
        var appends: [StreamAppend]
        var continuation: CheckedContinuation<[AppendResult], any Error>
    }

    private struct WriteQueue {
        var pending: [PendingAppend] = []
        var flushScheduled = false
    }

    /// The configuration.
    public let configuration: Configuration
    /// The underlying database, for hosts that keep their own tables beside the log.
    public let database: SQLiteDatabase
    private let queue = Mutex(WriteQueue())
    private let signal = EventStoreChangeSignal()
    private let streamNames = StreamNameCache()
    private let recent: Mutex<RecentCommits>

    /// Opens (creating if needed) the event store in the SQLite file at `path`.
    ///
    /// - Throws: ``EventStoreError/corrupted(_:)`` when the file is damaged or not a database,
    ///   ``EventStoreError/storageFailure(_:)`` when it cannot be opened.
    public convenience init(path: String, configuration: Configuration = Configuration()) async throws {
        let database: SQLiteDatabase
        do {
            database = try await SQLiteDatabase.open(path: path, configuration: configuration.database)
        } catch {
            throw EventStoreError(error)
        }
        try await self.init(database: database, configuration: configuration)
    }

    /// Opens an event store in a private in-memory SQLite database.
    public convenience init(inMemoryWith configuration: Configuration = Configuration()) async throws {
        let database: SQLiteDatabase
        do {
            database = try SQLiteDatabase(inMemoryWith: configuration.database)
        } catch {
            throw EventStoreError(error)
        }
        try await self.init(database: database, configuration: configuration)
    }

    /// Opens the event store inside an existing database, creating its tables if needed.
    public init(database: SQLiteDatabase, configuration: Configuration = Configuration()) async throws {
        self.database = database
        self.configuration = configuration
        self.recent = Mutex(
            RecentCommits(capacity: configuration.recentEventCapacity, maximumBytes: configuration.recentEventBytes))
        do {
            try await database.write { connection in try SQLiteEventStoreSchema.migrate(connection) }
        } catch {
            throw EventStoreError(error)
        }
    }

    /// Finishes queued work and closes the database. Later calls throw ``EventStoreError/closed``.
    public func close() {
        recent.withLock { $0.close() }
        database.close()
        failPending(with: .closed)
    }

    // MARK: Appending

    /// Appends atomically; see ``EventStore/append(_:)``. Concurrent calls are group-committed.
    public func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
        try AppendValidation.validate(appends, maximumEventSize: configuration.maximumEventSize)
        return try await withCheckedThrowingContinuation { continuation in
            let mustSchedule = queue.withLock { queue -> Bool in
                queue.pending.append(PendingAppend(appends: appends, continuation: continuation))
                defer { queue.flushScheduled = true }
                return !queue.flushScheduled
            }
            if mustSchedule {
                let accepted = database.submitWrite { [self] connection in flush(connection) }
                if !accepted { failPending(with: .closed) }
            }
        }
    }

    private func failPending(with error: EventStoreError) {
        let pending = queue.withLock { queue -> [PendingAppend] in
            defer { queue.pending.removeAll() }
            return queue.pending
        }
        for request in pending { request.continuation.resume(throwing: error) }
    }

    /// Runs on the writer thread: commits every waiting append in one transaction.
    private func flush(_ connection: SQLiteConnection) {
        let batch = queue.withLock { queue -> [PendingAppend] in
            queue.flushScheduled = false
            defer { queue.pending.removeAll(keepingCapacity: true) }
            return queue.pending
        }
        guard !batch.isEmpty else { return }
        let committedAt = Date().microsecondsSince1970
        var outcomes: [Result<[AppendResult], EventStoreError>] = []
        outcomes.reserveCapacity(batch.count)
        // Per request: whether its success wrote new events (not a retry answered with the original).
        var fresh: [Bool] = []
        var wrote = false
        do {
            // Cached statements: with group commit, these run once per append, and parsing them
            // again each time cost about as much as inserting a single event.
            try connection.executeCached("BEGIN IMMEDIATE")
            if batch.count == 1 {
                // Alone in the transaction: no savepoint needed, a failure rolls everything back.
                var isFresh = false
                outcomes.append(Result { () throws(EventStoreError) in
                    try write(
                        batch[0].appends, committedAt: committedAt, on: connection, fresh: &isFresh,
                        rollback: { connection.rollback() })
                })
                fresh.append(isFresh)
            } else if let optimistic = try writeWithoutSavepoints(batch, committedAt: committedAt, on: connection) {
                (outcomes, fresh) = optimistic
            } else {
                // An append failed after writing part of itself: start again, each append in a
                // savepoint of its own so that it can be undone alone.
                connection.rollback()
                outcomes.removeAll()
                fresh.removeAll()
                try connection.executeCached("BEGIN IMMEDIATE")
                for request in batch {
                    try connection.executeCached("SAVEPOINT atomo_append")
                    var isFresh = false
                    let outcome = Result { () throws(EventStoreError) in
                        try write(request.appends, committedAt: committedAt, on: connection, fresh: &isFresh) {
                            try? connection.executeCached("ROLLBACK TO atomo_append")
                        }
                    }
                    try connection.executeCached("RELEASE atomo_append")
                    outcomes.append(outcome)
                    fresh.append(isFresh)
                }
            }
            if !connection.isAutocommit {
                try connection.executeCached("COMMIT")
                wrote = outcomes.contains { if case .success(let results) = $0 { !results.isEmpty } else { false } }
            }
        } catch {
            connection.rollback()
            let failure = EventStoreError(error)
            outcomes = batch.map { _ in .failure(failure) }
            wrote = false
        }
        if wrote {
            if recent.withLock({ $0.isEnabled }) {
                var committed: [(StreamAppend, AppendResult)] = []
                for (index, outcome) in outcomes.enumerated() where fresh[index] {
                    if case .success(let results) = outcome {
                        committed += zip(batch[index].appends, results).map { ($0, $1) }
                    }
                }
                recent.withLock { $0.record(committed, committedAt: committedAt) }
            }
            signal.notify()
        }
        for (request, outcome) in zip(batch, outcomes) {
            request.continuation.resume(with: outcome.mapError { $0 as any Error })
        }
    }

    /// Writes every append of a group in the open transaction without savepoints, or returns nil
    /// (leaving the transaction to be rolled back) when one failed after writing part of itself.
    ///
    /// A savepoint makes SQLite copy each page an append touches before changing it, which costs
    /// about as much as the append's own inserts. It is only needed to undo a failed append's writes,
    /// and nearly every failure writes nothing: a conflicting expected version or a retried append
    /// is detected by the lookup of its (first) stream, before any insert. Only the rare append that
    /// fails later (a conflict on a second stream, a stored event id under `.any`) needs undoing;
    /// for that the caller redoes the whole group with a savepoint per append, the result being
    /// exactly what the savepoints alone would have produced.
    private func writeWithoutSavepoints(
        _ batch: [PendingAppend], committedAt: Int64, on connection: SQLiteConnection
    ) throws -> ([Result<[AppendResult], EventStoreError>], fresh: [Bool])? {
        var outcomes: [Result<[AppendResult], EventStoreError>] = []
        outcomes.reserveCapacity(batch.count)
        var fresh: [Bool] = []
        fresh.reserveCapacity(batch.count)
        for request in batch {
            let changesBefore = connection.totalChanges
            var wrotePart = false
            var isFresh = false
            let outcome = Result { () throws(EventStoreError) in
                try write(request.appends, committedAt: committedAt, on: connection, fresh: &isFresh) {
                    // Called on failure, before the check for a retried append: if this append
                    // changed anything, that check could see its own half-written rows; the
                    // outcome is discarded and the group redone with savepoints.
                    if connection.totalChanges != changesBefore { wrotePart = true }
                }
            }
            if wrotePart { return nil }
            if case .failure(let error) = outcome, connection.isAutocommit {
                // SQLite ended the transaction itself (an I/O error, a full disk): nothing of the
                // group may commit piecemeal, so the whole group fails.
                throw error
            }
            outcomes.append(outcome)
            fresh.append(isFresh)
        }
        return (outcomes, fresh)
    }

    /// Writes one append inside the open transaction. On failure, calls `rollback` to undo its
    /// writes, then decides whether it was a retry of a stored append.
    ///
    /// - Parameter fresh: set to true when the append wrote its events (false for a retry answered
    ///   with the original results).
    private func write(
        _ appends: [StreamAppend], committedAt: Int64, on connection: SQLiteConnection, fresh: inout Bool,
        rollback: () -> Void
    ) throws(EventStoreError) -> [AppendResult] {
        fresh = false
        do {
            var results: [AppendResult] = []
            results.reserveCapacity(appends.count)
            for append in appends {
                results.append(try write(append, committedAt: committedAt, on: connection))
            }
            if !configuration.inlineProjections.isEmpty {
                try applyInlineProjections(appends, results: results, committedAt: committedAt, on: connection)
            }
            fresh = true
            return results
        } catch {
            rollback()
            let storeError = EventStoreError(error)
            switch storeError {
            case .wrongExpectedVersion, .storageFailure:
                // A retry of a stored append conflicts on its version (or on the unique id index):
                // if all of it is stored, answer with the original result.
                let stored: [[RecordedEvent?]]
                do {
                    stored = try appends.map { append in
                        try append.events.map { event in try storedEvent(id: event.id, on: connection) }
                    }
                } catch {
                    throw EventStoreError(error)
                }
                if let originals = try AppendValidation.originalResults(of: appends, stored: stored) {
                    return originals
                }
                throw storeError
            default:
                throw storeError
            }
        }
    }

    /// Runs the configured inline projections over the events one append just wrote, inside its
    /// transaction. Positions are contiguous within each stream's part (one writer, rowids), so the
    /// recorded events are rebuilt from the append and its results without reading them back.
    private func applyInlineProjections(
        _ appends: [StreamAppend], results: [AppendResult], committedAt: Int64, on connection: SQLiteConnection
    ) throws(EventStoreError) {
        var events = committedEvents(zip(appends, results), committedAt: Date(microsecondsSince1970: committedAt))
        try configuration.upcasters.upcast(&events)
        for projection in configuration.inlineProjections {
            do {
                try projection.apply(events, in: connection)
            } catch {
                throw .inlineProjectionFailed(name: projection.name, reason: "\(error)")
            }
        }
    }

    private func write(_ append: StreamAppend, committedAt: Int64, on connection: SQLiteConnection) throws -> AppendResult {
        let lookup = try connection.cachedStatement(
            literal: "SELECT id, version FROM atomo_streams WHERE name = ?1")
        try lookup.bind(append.stream.rawValue, at: 1)
        var streamID: Int64?
        var actual: Int64?
        if try lookup.step() {
            streamID = lookup.int64(at: 0)
            actual = lookup.int64(at: 1)
        }
        lookup.reset()
        guard append.expectedVersion.isSatisfied(by: actual) else {
            throw EventStoreError.wrongExpectedVersion(stream: append.stream, expected: append.expectedVersion, actual: actual)
        }
        let firstVersion = (actual ?? -1) + 1
        let lastVersion = firstVersion + Int64(append.events.count) - 1
        let stream: Int64
        if let streamID {
            let update = try connection.cachedStatement(
                literal: "UPDATE atomo_streams SET version = ?2 WHERE id = ?1")
            try update.bind(streamID, at: 1)
            try update.bind(lastVersion, at: 2)
            try update.run()
            stream = streamID
        } else {
            let insert = try connection.cachedStatement(
                literal: "INSERT INTO atomo_streams (name, category, version) VALUES (?1, ?2, ?3)")
            try insert.bind(append.stream.rawValue, at: 1)
            try insert.bind(String(append.stream.category), at: 2)
            try insert.bind(lastVersion, at: 3)
            try insert.run()
            stream = connection.lastInsertRowID
        }
        let insert = try connection.cachedStatement(
            literal: """
                INSERT INTO atomo_events (event_id, stream_id, stream_version, type, schema_version, payload,
                    correlation_id, causation_id, actor, tenant, custom, committed_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                """)
        try insert.bind(stream, at: 2)
        try insert.bind(committedAt, at: 12)
        var version = firstVersion
        var firstPosition: Int64 = 0
        for event in append.events {
            try withUnsafeBytes(of: event.id.uuid) { bytes in try insert.bind(blob: bytes, at: 1) }
            try insert.bind(version, at: 3)
            try insert.bind(event.type, at: 4)
            try insert.bind(Int64(event.schemaVersion), at: 5)
            try event.payload.withUnsafeBytes { bytes in try insert.bind(blob: bytes, at: 6) }
            let metadata = event.metadata
            try insert.bind(metadata.correlationID, at: 7)
            try insert.bind(metadata.causationID, at: 8)
            try insert.bind(metadata.actor, at: 9)
            try insert.bind(metadata.tenant, at: 10)
            try insert.bind(metadata.custom.isEmpty ? nil : CustomMetadataJSON.encode(metadata.custom), at: 11)
            try insert.run()
            if version == firstVersion { firstPosition = connection.lastInsertRowID }
            version += 1
        }
        return AppendResult(
            stream: append.stream, firstVersion: firstVersion, lastVersion: lastVersion,
            firstPosition: firstPosition, lastPosition: connection.lastInsertRowID)
    }

    // MARK: Reading

    private static let eventColumns = """
        e.position, e.event_id, e.stream_id, e.stream_version, e.type, e.schema_version, e.payload,
        e.correlation_id, e.causation_id, e.actor, e.tenant, e.custom, e.committed_at
        """

    private func storedEvent(id: UUID, on connection: SQLiteConnection) throws -> RecordedEvent? {
        let statement = try connection.cachedStatement(
            "SELECT \(Self.eventColumns) FROM atomo_events e WHERE e.event_id = ?1")
        defer { statement.reset() }
        try withUnsafeBytes(of: id.uuid) { bytes in try statement.bind(blob: bytes, at: 1) }
        guard try statement.step() else { return nil }
        var memo = RowMemo()
        // Inside the writer's open transaction: the event's stream row may yet be rolled back.
        return try decodeEvent(statement, connection: connection, stream: nil, memo: &memo, remembersStreamNames: false)
    }

    /// Decodes the current row (selected with `eventColumns`).
    ///
    /// `memo` carries values between the rows of one read: consecutive events usually share their
    /// stream, type and metadata (one append writes them together), and reusing the previous row's
    /// values saves an allocation, a UTF-8 validation and a metadata value each. Columns are read
    /// through SQLite's buffers without closures (``SQLiteStatement/unsafeBlob(at:)``): this loop
    /// runs once per event read, and decoding cost about as much as `sqlite3_step` itself.
    private func decodeEvent(
        _ row: SQLiteStatement, connection: SQLiteConnection, stream: StreamName?, memo: inout RowMemo,
        remembersStreamNames: Bool = true
    ) throws -> RecordedEvent {
        let idBytes = row.unsafeBlob(at: 1)
        guard idBytes.count == 16 else { throw EventStoreError.corrupted("an event id is not 16 bytes") }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &uuid) { $0.copyMemory(from: idBytes) }
        let streamName: StreamName
        if let stream {
            streamName = stream
        } else {
            let streamID = row.int64(at: 2)
            if let last = memo.stream, last.id == streamID {
                streamName = last.name
            } else {
                streamName = try streamNames.name(of: streamID, on: connection, remember: remembersStreamNames)
                memo.stream = (streamID, streamName)
            }
        }
        let payload = memo.payloads.copy(row.unsafeBlob(at: 6))
        return RecordedEvent(
            id: UUID(uuid: uuid), stream: streamName, streamVersion: row.int64(at: 3), position: row.int64(at: 0),
            type: memo.type.take(row.unsafeText(at: 4)) ?? "", schemaVersion: Int(row.int64(at: 5)),
            payload: payload, metadata: try memo.metadata(of: row),
            committedAt: Date(microsecondsSince1970: row.int64(at: 12)))
    }

    /// Reads a stream; see ``EventStore/readStream(_:from:direction:limit:tenant:)``.
    public func readStream(
        _ stream: StreamName, from start: StreamReadStart, direction: ReadDirection, limit: Int, tenant: String?
    ) async throws -> [RecordedEvent] {
        try ReadArguments.check(limit: limit, start: start)
        guard limit > 0 else { return [] }
        var events = try await read { [self] connection in
            try connection.transaction(.deferred) { () throws -> [RecordedEvent] in
                let lookup = try connection.cachedStatement("SELECT id, version FROM atomo_streams WHERE name = ?1")
                try lookup.bind(stream.rawValue, at: 1)
                guard try lookup.step() else {
                    lookup.reset()
                    return []
                }
                let streamID = lookup.int64(at: 0)
                let current = lookup.int64(at: 1)
                lookup.reset()
                let from: Int64
                switch start {
                case .start: from = 0
                case .end: from = current
                case .version(let version): from = version
                }
                let comparison = direction == .forwards ? ">=" : "<="
                let order = direction == .forwards ? "ASC" : "DESC"
                let tenantClause = tenant == nil ? "" : " AND e.tenant = ?4"
                let statement = try connection.cachedStatement(
                    """
                    SELECT \(Self.eventColumns) FROM atomo_events e
                    WHERE e.stream_id = ?1 AND e.stream_version \(comparison) ?2\(tenantClause)
                    ORDER BY e.stream_version \(order) LIMIT ?3
                    """)
                defer { statement.reset() }
                try statement.bind(streamID, at: 1)
                try statement.bind(from, at: 2)
                try statement.bind(Int64(limit), at: 3)
                if let tenant { try statement.bind(tenant, at: 4) }
                var events: [RecordedEvent] = []
                var memo = RowMemo()
                while try statement.step() {
                    events.append(try decodeEvent(statement, connection: connection, stream: stream, memo: &memo))
                }
                return events
            }
        }
        try configuration.upcasters.upcast(&events)
        return events
    }

    /// Reads the global order; see ``EventStore/readAllPage(after:limit:filter:)``.
    public func readAllPage(after position: Int64, limit: Int, filter: EventFilter) async throws -> EventPage {
        try ReadArguments.check(limit: limit, after: position, filter: filter)
        if limit > 0, let kept = recent.withLock({ $0.commits(after: position) }) {
            var page = kept.page(after: position, limit: limit, filter: filter)
            try configuration.upcasters.upcast(&page.events)
            return page
        }
        var page = try await read { [self] connection in
            try connection.transaction(.deferred) { () throws -> EventPage in
                var conditions = ["e.position > ?1"]
                var values: [SQLValue] = [.integer(position), .integer(Int64(limit))]
                if let types = filter.eventTypes {
                    let sorted = types.sorted()
                    conditions.append("e.type IN (\(placeholders(from: values.count + 1, count: sorted.count)))")
                    values += sorted.map { .text($0) }
                }
                if let categories = filter.categories {
                    let sorted = categories.sorted()
                    conditions.append(
                        "e.stream_id IN (SELECT id FROM atomo_streams WHERE category IN (\(placeholders(from: values.count + 1, count: sorted.count))))")
                    values += sorted.map { .text($0) }
                }
                if let tenant = filter.tenant {
                    conditions.append("e.tenant = ?\(values.count + 1)")
                    values.append(.text(tenant))
                }
                let statement = try connection.cachedStatement(
                    """
                    SELECT \(Self.eventColumns) FROM atomo_events e
                    WHERE \(conditions.joined(separator: " AND ")) ORDER BY e.position LIMIT ?2
                    """)
                defer { statement.reset() }
                try statement.bind(values)
                var events: [RecordedEvent] = []
                // The whole page at once: growing the array copies every event already decoded.
                events.reserveCapacity(min(limit, 65_536))
                var memo = RowMemo()
                while try statement.step() {
                    events.append(try decodeEvent(statement, connection: connection, stream: nil, memo: &memo))
                }
                let scanned: Int64
                if events.count == limit, let last = events.last {
                    scanned = last.position
                } else {
                    // Same read transaction, so the head is the one this read saw.
                    scanned = max(position, try connection.scalarInt64("SELECT max(position) FROM atomo_events") ?? 0)
                }
                return EventPage(events: events, scannedThrough: scanned)
            }
        }
        try configuration.upcasters.upcast(&page.events)
        return page
    }

    /// The version of `stream`, or nil when it has no events.
    public func streamVersion(_ stream: StreamName) async throws -> Int64? {
        try await read { connection in
            try connection.scalarInt64("SELECT version FROM atomo_streams WHERE name = ?1", [stream.rawValue])
        }
    }

    /// The position of the last committed event (0 when empty).
    public func headPosition() async throws -> Int64 {
        try await read { connection in try connection.scalarInt64("SELECT max(position) FROM atomo_events") ?? 0 }
    }

    /// Notified after each commit made through this store; see ``EventStore/changeSignal``.
    public var changeSignal: EventStoreChangeSignal? { signal }

    /// See ``EventStore/changePollInterval``.
    public var changePollInterval: Duration { configuration.pollInterval }

    /// Subscribes; see ``EventStore/subscribe(after:filter:)``.
    public func subscribe(after position: Int64, filter: EventFilter) -> EventSubscription {
        EventSubscription(
            after: position, filter: filter, pageSize: configuration.subscriptionPageSize,
            pollInterval: changePollInterval, signal: signal
        ) { [self] after, limit, filter in
            try await readAllPage(after: after, limit: limit, filter: filter)
        }
    }

    /// Runs a read job and maps its errors to ``EventStoreError``.
    private func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        do {
            return try await database.read(body)
        } catch {
            throw EventStoreError(error)
        }
    }
}

/// What the previous row of one read held, so that the next row can reuse equal values.
private struct RowMemo {
    var stream: (id: Int64, name: StreamName)?
    var type = ReusedText()
    var correlationID = ReusedText()
    var causationID = ReusedText()
    var actor = ReusedText()
    var tenant = ReusedText()
    var custom = ReusedText()
    var customPairs: [String: String] = [:]
    var metadata: EventMetadata?
    var payloads = PayloadArena()

    /// The metadata of the current row (columns 7 to 11): the previous row's value while every
    /// column repeats, so that a page of one append's events builds its metadata once.
    mutating func metadata(of row: SQLiteStatement) throws(EventStoreError) -> EventMetadata {
        // Every column is taken (no short-circuit): each memo must hold this row's value.
        var changed = correlationID.takeChanged(row.unsafeText(at: 7))
        changed = causationID.takeChanged(row.unsafeText(at: 8)) || changed
        changed = actor.takeChanged(row.unsafeText(at: 9)) || changed
        changed = tenant.takeChanged(row.unsafeText(at: 10)) || changed
        if custom.takeChanged(row.unsafeText(at: 11)) {
            if let json = custom.value {
                customPairs = try CustomMetadataJSON.decode(json)
            } else {
                customPairs = [:]
            }
            changed = true
        }
        if !changed, let metadata { return metadata }
        let metadata = EventMetadata(
            correlationID: correlationID.value, causationID: causationID.value, actor: actor.value,
            tenant: tenant.value, custom: customPairs)
        self.metadata = metadata
        return metadata
    }
}

/// A text column's previous value: returned again, without allocating, while the bytes repeat.
private struct ReusedText {
    /// The value of the last row taken (nil for `NULL`).
    private(set) var value: String?
    private var hasValue = false

    /// Takes this row's bytes (nil for `NULL`) and returns the value as a string.
    mutating func take(_ bytes: UnsafeRawBufferPointer?) -> String? {
        _ = takeChanged(bytes)
        return value
    }

    /// Takes this row's bytes (nil for `NULL`); returns whether the value differs from the previous row's.
    mutating func takeChanged(_ bytes: UnsafeRawBufferPointer?) -> Bool {
        guard let bytes else {
            defer { (value, hasValue) = (nil, true) }
            return !hasValue || value != nil
        }
        if hasValue, let last = value {
            let equal = last.utf8.withContiguousStorageIfAvailable { utf8 in
                utf8.count == bytes.count && (bytes.isEmpty || memcmp(utf8.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
            }
            if equal == true { return false }
        }
        (value, hasValue) = (String(decoding: bytes, as: UTF8.self), true)
        return true
    }
}

private func placeholders(from first: Int, count: Int) -> String {
    (first..<(first + count)).map { "?\($0)" }.joined(separator: ", ")
}
