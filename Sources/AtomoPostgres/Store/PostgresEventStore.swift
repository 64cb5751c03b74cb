public import AtomoEvents
import AtomoSQL
import Foundation
public import Logging
public import PostgresNIO
import Synchronization

/// An event store in PostgreSQL: many processes share one log.
///
/// - **One round trip per append.** An append is one call of the schema's `atomo_append` function
///   with the events as arrays; it checks idempotency and expected versions, reserves positions,
///   locks and advances the streams, and inserts every event with `unnest`.
/// - **A global order that never skips a late commit.** Each event row carries its transaction id
///   (`xid8`); readers of the global order return only events of transactions older than their
///   snapshot's xmin, and appends reserve positions and transaction ids together, so an event whose
///   transaction commits late is waited for, never passed. See `docs/guide/postgres.md`.
/// - **Live subscriptions** wake on LISTEN/NOTIFY (a dedicated pooled connection that reconnects)
///   and poll every ``Configuration/pollInterval`` in case a notification is lost.
/// - **Tenancy.** Each event's tenant is stored in `tenant_id`; with
///   ``Configuration/rowLevelSecurity`` the tables get policies keyed on the per-transaction setting
///   `atomo.tenant_id`, which the store sets for tenant-scoped reads.
///
/// ```swift
/// let store = try await PostgresEventStore(url: "postgres://app@127.0.0.1:5432/app")
/// let stream = try StreamName("Order-1001")
/// try await store.append([EventData(type: "OrderPlaced", payload: Data("{}".utf8))],
///                        to: stream, expectedVersion: .noStream)
/// for try await event in store.subscribe(after: 0) { print(event.position, event.type) }
/// await store.close()
/// ```
///
/// A host that already runs a `PostgresClient` passes it in with
/// ``init(client:listenerConnection:configuration:logger:)``.
public final class PostgresEventStore: EventStore {
    /// The configuration.
    public let configuration: Configuration
    /// The client the store queries through.
    public let client: PostgresClient

    private let logger: Logger
    private let signal = EventStoreChangeSignal()
    private let notifier: PostgresChangeNotifier
    private let listener: PostgresChangeListener?
    private let runTask: Mutex<Task<Void, Never>?>
    private let isClosed = Atomic<Bool>(false)
    private let sql: PostgresEventStoreStatements
    /// Where to open single connections (the LISTEN connection, ``makeDatabase(threads:)``), when known.
    private let connectionConfiguration: PostgresConnection.Configuration?

    /// Opens the event store in the database at `url` (`postgres://user:password@host:port/database`),
    /// creating or migrating its tables. The store owns its client; ``close()`` shuts it down.
    public convenience init(
        url: String, configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "atomo.postgres")
    ) async throws {
        let clientConfiguration = try PostgresConnectionURL.clientConfiguration(from: url)
        let listenerConfiguration = try PostgresConnectionURL.connectionConfiguration(from: url)
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        let runTask = Task { await client.run() }
        do {
            try await self.init(
                client: client, runTask: runTask, listener: .dedicated(listenerConfiguration),
                connectionConfiguration: listenerConfiguration, configuration: configuration, logger: logger)
        } catch {
            runTask.cancel()
            throw error
        }
    }

    /// Opens the event store through a client the host runs (its `run()` must be running),
    /// creating or migrating its tables.
    ///
    /// - Parameter listenerConnection: where to open the dedicated LISTEN connection; without it the
    ///   store leases one connection from `client` for as long as it listens.
    public convenience init(
        client: PostgresClient, listenerConnection: PostgresConnection.Configuration? = nil,
        configuration: Configuration = Configuration(), logger: Logger = Logger(label: "atomo.postgres")
    ) async throws {
        try await self.init(
            client: client, runTask: nil, listener: listenerConnection.map { .dedicated($0) } ?? .pool(client),
            connectionConfiguration: listenerConnection, configuration: configuration, logger: logger)
    }

    private init(
        client: PostgresClient, runTask: Task<Void, Never>?, listener source: PostgresChangeListener.ConnectionSource,
        connectionConfiguration: PostgresConnection.Configuration?, configuration: Configuration, logger: Logger
    ) async throws {
        self.client = client
        self.connectionConfiguration = connectionConfiguration
        self.configuration = configuration
        self.logger = logger
        self.runTask = Mutex(runTask)
        self.sql = PostgresEventStoreStatements(schema: configuration.schema)
        let payload = configuration.schema.name
        self.notifier = PostgresChangeNotifier(
            client: client, channel: configuration.notificationChannel, payload: payload, logger: logger)
        if configuration.listensForNotifications {
            listener = PostgresChangeListener(
                source: source, channel: configuration.notificationChannel, payload: payload, signal: signal,
                logger: logger)
        } else {
            listener = nil
        }
        do {
            try await PostgresEventStoreMigrator(
                client: client, schema: configuration.schema, rowLevelSecurity: configuration.rowLevelSecurity,
                logger: logger
            ).migrate()
        } catch {
            throw PostgresStoreError.map(error)
        }
        listener?.start()
    }

    /// Stops listening and, when the store made its own client, shuts that client down.
    /// Later calls throw ``EventStoreError/closed``.
    public func close() async {
        guard !isClosed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        listener?.stop()
        runTask.withLock { task in
            task?.cancel()
            task = nil
        }
        signal.notify()
    }

    /// Drops the store's schema with everything in it, then closes the store — for tests and
    /// benchmarks that made a schema of their own. Irreversible.
    public func dropSchemaAndClose() async throws {
        try checkOpen()
        do {
            try await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(configuration.schema.quoted) CASCADE"), logger: logger)
        } catch {
            throw PostgresStoreError.map(error)
        }
        await close()
    }

    /// Opens a ``PostgresSQLDatabase`` on the store's server, with `search_path` set to the store's
    /// schema, so that read models and `SQLCheckpointStore` checkpoints live beside the log. The
    /// caller closes it.
    ///
    /// ```swift
    /// let database = try store.makeDatabase()
    /// let runner = ProjectionRunner(store: store, projector: ContactsProjector(), database: database)
    /// ```
    /// - Throws: ``AtomoEvents/EventStoreError/invalidArgument(_:)`` when the store was opened with a
    ///   client and no `listenerConnection` (it does not know where to connect).
    public func makeDatabase(threads: Int = 4) throws(EventStoreError) -> PostgresSQLDatabase {
        guard let connectionConfiguration else {
            throw .invalidArgument("open the store with a listenerConnection configuration to make a database from it")
        }
        return PostgresSQLDatabase(
            configuration: connectionConfiguration, schema: configuration.schema, threads: threads, logger: logger)
    }

    /// How many times the store has started to LISTEN (for tests and health checks).
    package var listenCount: Int { listener?.listenCount ?? 0 }

    private func checkOpen() throws(EventStoreError) {
        if isClosed.load(ordering: .acquiring) { throw .closed }
    }

    // MARK: Appending

    /// Appends atomically in one round trip; see ``EventStore/append(_:)``.
    public func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
        try AppendValidation.validate(appends, maximumEventSize: configuration.maximumEventSize)
        try checkOpen()
        let query = PostgresAppendArguments(appends, serialised: configuration.writerOrdering == .serialisedWriters)
            .query(sql.append)
        var results: [AppendResult] = []
        results.reserveCapacity(appends.count)
        var alreadyStored = false
        do {
            let rows = try await client.query(query, logger: logger)
            for try await (outcome, index, firstVersion, lastVersion, firstPosition, lastPosition) in rows.decode(
                (String, Int32?, Int64?, Int64?, Int64?, Int64?).self)
            {
                if outcome == "stored" {
                    alreadyStored = true
                    continue
                }
                guard outcome == "appended", let index, let firstVersion, let lastVersion, let firstPosition, let lastPosition,
                    index >= 1, Int(index) <= appends.count
                else {
                    throw EventStoreError.corrupted("atomo_append returned an unexpected row")
                }
                results.append(
                    AppendResult(
                        stream: appends[Int(index) - 1].stream, firstVersion: firstVersion, lastVersion: lastVersion,
                        firstPosition: firstPosition, lastPosition: lastPosition))
            }
        } catch {
            let state = PostgresStoreError.sqlState(of: error)
            guard state == PostgresStoreError.wrongExpectedVersionState || state == PostgresStoreError.uniqueViolationState
            else { throw PostgresStoreError.map(error) }
            // A retry conflicts on a version or on the unique id index (also when it races its
            // original): if all of it is stored, answer with the original result.
            if let originals = try await originalResults(of: appends) { return originals }
            if state == PostgresStoreError.wrongExpectedVersionState, let conflict = wrongExpectedVersion(error, appends) {
                throw conflict
            }
            throw PostgresStoreError.map(error)
        }
        if alreadyStored {
            if let originals = try await originalResults(of: appends) { return originals }
            throw EventStoreError.storageFailure("the stored events of a retried append are gone")
        }
        guard results.count == appends.count else {
            throw EventStoreError.corrupted("atomo_append returned \(results.count) results for \(appends.count) streams")
        }
        signal.notify()
        notifier.changed()
        return results
    }

    /// The conflict the append function reported (detail `index:actual`).
    private func wrongExpectedVersion(_ error: any Error, _ appends: [StreamAppend]) -> EventStoreError? {
        guard let detail = (error as? PSQLError)?.serverInfo?[.detail] else { return nil }
        let parts = detail.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), index >= 1, index <= appends.count else { return nil }
        let append = appends[index - 1]
        return .wrongExpectedVersion(stream: append.stream, expected: append.expectedVersion, actual: Int64(parts[1]))
    }

    /// The original results when `appends` is already stored, nil when none of it is.
    private func originalResults(of appends: [StreamAppend]) async throws -> [AppendResult]? {
        let ids = appends.flatMap { $0.events.map(\.id) }
        var byID: [UUID: RecordedEvent] = [:]
        do {
            var binds = PostgresBindings(capacity: 1)
            binds.append(ids)
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql.eventsByID, binds: binds), logger: logger)
            var names = StreamNameDecoder()
            for try await row in rows {
                let event = try PostgresEventRow.decode(row, names: &names)
                byID[event.id] = event
            }
        } catch {
            throw PostgresStoreError.map(error)
        }
        let stored = appends.map { append in append.events.map { byID[$0.id] } }
        return try AppendValidation.originalResults(of: appends, stored: stored)
    }

    // MARK: Reading

    /// Reads a stream; see ``EventStore/readStream(_:from:direction:limit:tenant:)``.
    public func readStream(
        _ stream: StreamName, from start: StreamReadStart, direction: ReadDirection, limit: Int, tenant: String?
    ) async throws -> [RecordedEvent] {
        try ReadArguments.check(limit: limit, start: start)
        try checkOpen()
        guard limit > 0 else { return [] }
        var binds = PostgresBindings(capacity: 4)
        binds.append(stream.rawValue)
        switch start {
        case .start: binds.append(Int64(0))
        case .end: binds.appendNull()
        case .version(let version): binds.append(version)
        }
        binds.append(Int64(limit))
        if let tenant { binds.append(tenant) }
        let statement = sql.readStream(forwards: direction == .forwards, tenant: tenant != nil)
        var events: [RecordedEvent] = []
        do {
            try await withRows(PostgresQuery(unsafeSQL: statement, binds: binds), tenant: tenant) { rows in
                var names = StreamNameDecoder()
                for row in rows { events.append(try PostgresEventRow.decode(row, names: &names)) }
            }
        } catch let lost as PostgresConnectionLost {
            throw PostgresStoreError.map(lost.error)
        }
        try configuration.upcasters.upcast(&events)
        return events
    }

    /// Reads the global order; see ``EventStore/readAllPage(after:limit:filter:)``.
    ///
    /// Only events of transactions older than the read's snapshot xmin are returned, so the page
    /// never passes an event that can still commit with a lower position; `scannedThrough` is the
    /// highest position below which everything is final.
    public func readAllPage(after position: Int64, limit: Int, filter: EventFilter) async throws -> EventPage {
        do {
            return try await readAllPageAndPending(after: position, limit: limit, filter: filter).page
        } catch let lost as PostgresConnectionLost {
            throw PostgresStoreError.map(lost.error)
        }
    }

    /// A page, and whether committed events above it wait for an older transaction to end.
    private func readAllPageAndPending(after position: Int64, limit: Int, filter: EventFilter) async throws
        -> (page: EventPage, pending: Bool)
    {
        try ReadArguments.check(limit: limit, after: position, filter: filter)
        try checkOpen()
        guard limit > 0 else { return (EventPage(events: [], scannedThrough: position), false) }
        var binds = PostgresBindings(capacity: 5)
        binds.append(position)
        binds.append(Int64(limit))
        if let types = filter.eventTypes { binds.append(types.sorted()) }
        if let categories = filter.categories { binds.append(categories.sorted()) }
        if let tenant = filter.tenant { binds.append(tenant) }
        let types = filter.eventTypes != nil
        let categories = filter.categories != nil
        let tenant = filter.tenant != nil
        let packed = sql.readAllPacked(
            types: types, categories: categories, tenant: tenant,
            packedByteLimit: configuration.packedPageByteLimit)
        var events: [RecordedEvent] = []
        var head: Int64 = 0
        var top: Int64 = 0
        // An ambiguous horizon (a transaction ended while the read looked at it) is safe but may
        // lag; a fresh snapshot no longer holds that transaction, so read again a few times.
        for attempt in 1...4 {
            events.removeAll(keepingCapacity: true)
            events.reserveCapacity(min(limit, 4096))
            var ambiguous = false
            var tooLargeToPack = false
            try await withRows(PostgresQuery(unsafeSQL: packed, binds: binds), tenant: filter.tenant) { rows in
                guard rows.count == 1, let row = rows.first else {
                    throw EventStoreError.corrupted("a packed read returned \(rows.count) rows")
                }
                let (safeHead, visibleTop, unsure, bytes, records) = try PostgresEventRow.decodePackedPageRow(row)
                head = safeHead ?? 0
                top = visibleTop ?? 0
                ambiguous = unsure ?? false
                if let records {
                    var names = StreamNameDecoder()
                    try PostgresPackedEvents.decode(records, names: &names, into: &events)
                } else if bytes != nil {
                    tooLargeToPack = true
                }
            }
            if tooLargeToPack {
                // Too large for one value: the same page, row by row (under a snapshot of its own,
                // which the horizon makes as safe as the first).
                events.removeAll(keepingCapacity: true)
                ambiguous = false
                let statement = sql.readAll(types: types, categories: categories, tenant: tenant)
                try await withRows(PostgresQuery(unsafeSQL: statement, binds: binds), tenant: filter.tenant) { rows in
                    var names = StreamNameDecoder()
                    for row in rows {
                        let decoded = try PostgresEventRow.decodePageRow(row, names: &names)
                        if let safeHead = decoded.head { head = safeHead }
                        if let visibleTop = decoded.top { top = visibleTop }
                        if let unsure = decoded.ambiguous { ambiguous = unsure }
                        if let event = decoded.event { events.append(event) }
                    }
                }
            }
            if !ambiguous || events.count == limit || attempt == 4 { break }
        }
        if zip(events, events.dropFirst()).contains(where: { $0.position >= $1.position }) {
            events.sort { $0.position < $1.position }
        }
        let scanned: Int64
        if events.count == limit, let last = events.last {
            scanned = last.position
        } else {
            scanned = max(position, head)
        }
        try configuration.upcasters.upcast(&events)
        return (EventPage(events: events, scannedThrough: scanned), top > max(head, position))
    }

    /// The version of `stream`, or nil when it has no events.
    public func streamVersion(_ stream: StreamName) async throws -> Int64? {
        try checkOpen()
        var binds = PostgresBindings(capacity: 1)
        binds.append(stream.rawValue)
        do {
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql.streamVersion, binds: binds), logger: logger)
            var version: Int64?
            for try await value in rows.decode(Int64.self) { version = value }
            return version
        } catch {
            throw PostgresStoreError.map(error)
        }
    }

    /// The highest position below which every event is committed or never will be (0 when empty).
    public func headPosition() async throws -> Int64 {
        try checkOpen()
        do {
            var head: Int64 = 0
            for _ in 1...4 {
                var ambiguous = false
                let rows = try await client.query(PostgresQuery(unsafeSQL: sql.safeHead), logger: logger)
                for try await (value, unsure) in rows.decode((Int64?, Bool?).self) {
                    head = value ?? 0
                    ambiguous = unsure ?? false
                }
                if !ambiguous { break }
            }
            return head
        } catch {
            throw PostgresStoreError.map(error)
        }
    }

    /// Notified after each commit made through this store; see ``EventStore/changeSignal``.
    public var changeSignal: EventStoreChangeSignal? { signal }

    /// See ``EventStore/changePollInterval``.
    public var changePollInterval: Duration { configuration.pollInterval }

    /// Subscribes; see ``EventStore/subscribe(after:filter:)``.
    ///
    /// When committed events wait behind an older append that is still open, the subscription looks
    /// again after 2 ms, backing off to 100 ms, for as long as they wait, instead of waiting for the
    /// next notification.
    public func subscribe(after position: Int64, filter: EventFilter) -> EventSubscription {
        EventSubscription(
            after: position, filter: filter, pageSize: configuration.subscriptionPageSize,
            pollInterval: changePollInterval, signal: signal
        ) { [self] after, limit, filter in
            var delay = Duration.milliseconds(2)
            while true {
                let page: EventPage
                let pending: Bool
                do {
                    (page, pending) = try await readAllPageAndPending(after: after, limit: limit, filter: filter)
                } catch let lost as PostgresConnectionLost {
                    // A dropped connection must not end or stall the subscription: report an empty page,
                    // so it waits one polling interval (or a notification) and reads again.
                    logger.debug("atomo: subscription read lost its connection; retrying", metadata: ["error": "\(String(reflecting: lost.error))"])
                    return EventPage(events: [], scannedThrough: after)
                } catch {
                    // A read interrupted by the consumer's cancellation ends the iteration quietly.
                    if Task.isCancelled { throw CancellationError() }
                    throw error
                }
                guard page.events.isEmpty, page.scannedThrough == after, pending else { return page }
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .milliseconds(100))
            }
        }
    }

    /// Runs `query` and hands all its rows to `body`. For a tenant-scoped read with row-level
    /// security on, runs it in a transaction that first sets `atomo.tenant_id`, so the policies
    /// admit it even when the store's role is not the tables' owner.
    ///
    /// Pages are bounded by their limit, so the rows are collected on the connection's event loop
    /// in one go: the back-pressured row sequence hops between the event loop and the reading task
    /// for every few kilobytes, which costs more than the query on large pages.
    private func withRows(
        _ query: PostgresQuery, tenant: String?, _ body: ([PostgresRow]) throws -> Void
    ) async throws {
        do {
            let rows = try await client.withConnection { connection -> [PostgresRow] in
                guard configuration.rowLevelSecurity, let tenant else {
                    return try await collect(query, on: connection)
                }
                try await connection.query("BEGIN", logger: logger)
                do {
                    try await connection.query(
                        "SELECT set_config(\(PostgresEventStoreSchema.tenantSetting), \(tenant), true)", logger: logger)
                    let rows = try await collect(query, on: connection)
                    try await connection.query("COMMIT", logger: logger)
                    return rows
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
            try body(rows)
        } catch {
            if PostgresStoreError.isConnectionFailure(error) { throw PostgresConnectionLost(error: error) }
            throw PostgresStoreError.map(error)
        }
    }

    private func collect(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [PostgresRow] {
        let result: EventLoopFuture<PostgresQueryResult> = connection.query(query, logger: logger)
        return try await result.get().rows
    }
}

/// A read failed because its connection was lost; subscriptions retry, callers see a storage failure.
private struct PostgresConnectionLost: Error {
    let error: any Error
}
