public import AtomoEvents
public import AtomoProjection
public import AtomoSQL
public import AtomoSchema
public import Foundation
public import Logging
import Synchronization

/// The content core: a declared schema turned into commands, events, SQL read models and queries.
///
/// - **Commands** (``create(_:_:as:id:correlationID:)``, ``update(_:id:_:expectedVersion:as:correlationID:)``,
///   ``delete(_:id:expectedVersion:as:correlationID:)``, ``restore(_:id:expectedVersion:as:correlationID:)``)
///   validate against the schema, ask the ``AccessPolicy``, and append one event to the record's stream
///   `<Entity>-<id>`: `ContactCreated`, `ContactUpdated` (changed fields and their previous values),
///   `ContactDeleted`, `ContactRestored`, with the principal as actor.
/// - **Read models**: one SQL table per entity, kept by a transactional projector; a command returns
///   once the read model shows its event, so a query right after it sees the write.
/// - **Queries** (``get(_:id:as:)``, ``records(_:ids:as:)``, ``list(_:as:)``, ``aggregate(_:where:as:)``)
///   compile filter trees to SQL with bound parameters only, and drop the fields the principal may not read.
/// - **History** (``history(_:id:as:)``, ``get(_:id:asOf:version:as:)``, ``audit(_:as:)``) and a change
///   feed (``changes(after:)``) come from the log.
///
/// ```swift
/// let store = try await SQLiteEventStore(path: "crm.sqlite")
/// let engine = try ContentEngine(schema: crm, events: store, readModels: store.database, policy: policy)
/// try await engine.start()
/// let ada = try await engine.create("Contact", ["name": "Ada", "email": "ada@example.com"], as: user)
/// let updated = try await engine.update("Contact", id: ada.id, ["stage": "Won"], expectedVersion: ada.version, as: user)
/// let leads = try await engine.list(RecordQuery("Contact", filter: .field("stage", .eq("Lead"))), as: user)
/// await engine.stop()
/// ```
public final class ContentEngine: Sendable {
    /// How the engine runs its read models and bounds its work.
    public struct Configuration: Sendable {
        /// The runner configuration of every read-model projector.
        public var projection: ProjectionRunner.Configuration
        /// Upcasters the engine applies to content events before folding them (after the store's own).
        /// Field renames recorded in ``Field/formerNames`` need none: the engine maps former names itself.
        public var upcasters: [Upcaster]
        /// The longest a command waits for the read model to show its event.
        public var readYourWritesTimeout: Duration
        /// The largest page a list may ask for.
        public var maximumPageSize: Int
        /// A prefix for every table the engine creates (`crm_` → `crm_contact`); letters, digits, `_`.
        public var tablePrefix: String
        /// How many records decoded from read-model rows the engine keeps (about; 0 keeps none), so
        /// that lists read again skip decoding: a record's version fixes its content, so a kept
        /// record is never stale, and a schema change starts with none.
        public var recordCacheCapacity: Int
        /// How many bytes of rows the kept records may have been decoded from (about; 0 keeps none):
        /// the memory bound for records with large text, JSON or block fields. A decoded record takes
        /// a small multiple of its row; a row larger than half of this is not kept.
        public var recordCacheMaximumBytes: Int

        /// Creates a configuration.
        public init(
            projection: ProjectionRunner.Configuration = .init(batchSize: 2000), upcasters: [Upcaster] = [],
            readYourWritesTimeout: Duration = .seconds(30), maximumPageSize: Int = 1000,
            tablePrefix: String = "content_",
            recordCacheCapacity: Int = 10_000, recordCacheMaximumBytes: Int = 32 << 20
        ) {
            self.recordCacheCapacity = recordCacheCapacity
            self.recordCacheMaximumBytes = recordCacheMaximumBytes
            self.projection = projection
            self.upcasters = upcasters
            self.readYourWritesTimeout = readYourWritesTimeout
            self.maximumPageSize = maximumPageSize
            self.tablePrefix = tablePrefix
        }
    }

    /// The configuration.
    public let configuration: Configuration
    /// The event store: the truth.
    public let events: any EventStore
    /// Where the read models live.
    public let readModels: any SQLDatabase
    /// The policy every command and query asks.
    public let policy: any AccessPolicy
    /// The registry the engine's projectors run in (each entity's read model, a rebuild while it
    /// runs, and the audit log): the host's, when it passed one to ``init(schema:events:readModels:policy:configuration:daemon:logger:)``,
    /// else the engine's own. Health checks and `/metrics` read ``ProjectionDaemon/status()``.
    public let daemon: ProjectionDaemon
    /// Where the engine and its projectors log.
    public let logger: Logger
    /// Whether ``daemon`` is the engine's own (started and stopped with the engine).
    let ownsDaemon: Bool

    let state: Mutex<EngineState>
    let counter = QueryCounter()
    let lifecycle = SerialGate()
    let commitTimes = AppliedCommitTimes()

    /// Creates an engine; nothing runs until ``start()``.
    ///
    /// Pass a `daemon` to run the engine's projectors in the host's registry beside its other
    /// projectors (the engine still starts and stops its own runners); without one the engine
    /// makes its own.
    ///
    /// - Throws: ``ContentError/invalidSchema(_:)`` when the schema is invalid or cannot be stored
    ///   (a field named like a read-model system column, a table name longer than 63 bytes).
    public init(
        schema: Schema, events: any EventStore, readModels: any SQLDatabase,
        policy: any AccessPolicy = UnrestrictedAccessPolicy(), configuration: Configuration = Configuration(),
        daemon: ProjectionDaemon? = nil, logger: Logger = Logger(label: "atomo.content")
    ) throws(ContentError) {
        self.configuration = configuration
        self.daemon = daemon ?? ProjectionDaemon(logger: logger)
        self.ownsDaemon = daemon == nil
        self.logger = logger
        self.events = events
        self.readModels = readModels
        self.policy = policy
        self.state = Mutex(
            EngineState(
                model: try ContentModel(schema, tablePrefix: configuration.tablePrefix),
                upcasters: UpcasterRegistry(configuration.upcasters),
                recordCache: configuration.makeRecordCache()))
    }

    /// The schema the engine serves.
    public var schema: Schema { state.withLock { $0.model.schema } }

    /// How many read-model queries the engine has run since it was created (every `SELECT` against a
    /// read model counts one). GraphQL's batching tests compare it before and after a request.
    public var readModelQueryCount: Int { counter.value }

    /// How many decoded records the engine keeps for the schema it serves (see
    /// ``Configuration/recordCacheCapacity``).
    public var cachedRecordCount: Int { state.withLock { $0.recordCache }.count }

    /// How many bytes of rows the kept records were decoded from (see
    /// ``Configuration/recordCacheMaximumBytes``).
    public var cachedRecordBytes: Int { state.withLock { $0.recordCache }.bytes }

    // MARK: Lifecycle

    /// Creates or migrates the read-model tables and starts their projectors. Idempotent.
    ///
    /// Read models already built by an earlier run continue from their checkpoints; a read model
    /// whose stored shape differs from the schema's is migrated: in place when only columns were
    /// added, otherwise rebuilt from the log (blue/green) before `start()` returns.
    public func start() async throws(ContentError) {
        try await lifecycle.run { () async throws(ContentError) in
            if self.state.withLock({ $0.isRunning }) { return }
            do {
                try await self.startReadModels()
                if self.ownsDaemon { self.daemon.start() }
            } catch {
                throw ContentError.wrap(error)
            }
        }
    }

    /// Stops the projectors. Commands and queries then throw ``ContentError/notRunning``.
    public func stop() async {
        let (models, audit) = state.withLock { state -> ([EntityReadModel], ProjectionRunner?) in
            state.isRunning = false
            defer {
                state.readModels = [:]
                state.audit = nil
            }
            return (Array(state.readModels.values), state.audit)
        }
        for model in models { await model.stop() }
        if let audit {
            await audit.stop()
            daemon.unregister(audit)
        }
        if ownsDaemon { await daemon.stop() }
    }

    /// Serves `new` from now on, migrating the read models.
    ///
    /// Per entity: unchanged read models stay; additive changes (new fields) `ALTER` the live table
    /// in place; anything else (a removed, renamed or retyped field, a changed index) builds a new
    /// table from the log beside the live one and swaps it in when it has caught up, so readers
    /// never see an empty table. Renames keep their data through ``Field/formerNames``; type
    /// changes convert stored values where they convert (int ↔ string, int → float) and leave
    /// null those that do not. Returns once every read model serves the new schema.
    public func replaceSchema(_ new: Schema) async throws(ContentError) {
        let newModel = try ContentModel(new, tablePrefix: configuration.tablePrefix)
        try await lifecycle.run { () async throws(ContentError) in
            guard self.state.withLock({ $0.isRunning }) else { throw .notRunning }
            do {
                try await self.migrate(to: newModel)
            } catch {
                throw ContentError.wrap(error)
            }
            self.policy.schemaDidChange(to: new)
        }
    }

    /// Rebuilds the read model of `entity` from the log, blue/green: a new table is built beside the
    /// live one, which keeps serving (and following) until the new one has caught up and is swapped in.
    /// Readers never see an empty or half-built model. Use it after fixing a projection bug, or to
    /// compact a table; schema changes rebuild by themselves (``replaceSchema(_:)``).
    ///
    /// ```swift
    /// try await engine.rebuildReadModel("Contact") { health in
    ///     print("\(health.checkpoint) / \(health.head)")
    /// }
    /// ```
    ///
    /// - Parameter progress: called about ten times a second while the new version catches up, with
    ///   its runner's health (checkpoint, head, throughput).
    /// - Throws: ``ContentError/unknownEntity(_:)``, ``ContentError/notRunning``, or the rebuild's failure.
    public func rebuildReadModel(
        _ entity: String, progress: (@Sendable (ProjectionHealth) -> Void)? = nil
    ) async throws(ContentError) {
        try await lifecycle.run { () async throws(ContentError) in
            let context = try self.running()
            let entityModel = try context.model.entity(entity)
            guard let readModel = context.readModels[entity] else { throw .unknownEntity(entity) }
            let reporter = progress.map { report in
                Task {
                    while !Task.isCancelled {
                        if let health = readModel.rebuildHealth { report(health) }
                        try? await Task.sleep(for: .milliseconds(100))
                    }
                }
            }
            defer { reporter?.cancel() }
            do {
                try await readModel.rebuild(entity: entityModel, decoder: context.decoder)
            } catch {
                throw ContentError.wrap(error)
            }
        }
    }

    // MARK: Commands

    /// Creates a record: validates `input` (unknown fields, types, required, validations, references,
    /// unique values) after applying defaults, asks the policy (`create`, with the input as record),
    /// and appends `<Entity>Created` with the validated record to the new stream `<Entity>-<id>`.
    ///
    /// - Parameters:
    ///   - id: the record's id; nil makes a UUIDv7. A client id has 1 to 200 characters, none of them
    ///     whitespace or control characters.
    ///   - correlationID: stored in the event's metadata.
    /// - Returns: the record as `principal` may read it, at version 0.
    /// - Throws: ``ContentError/validationFailed(_:)``, ``ContentError/referenceNotFound(field:id:)``,
    ///   ``ContentError/uniqueViolation(entity:field:)``, ``ContentError/alreadyExists(entity:id:)``,
    ///   ``ContentError/forbidden(_:)``, ``ContentError/unknownEntity(_:)``.
    @discardableResult
    public func create(
        _ entity: String, _ input: [String: JSONValue], as principal: Principal, id: String? = nil,
        correlationID: String? = nil
    ) async throws(ContentError) -> ContentRecord {
        let context = try running()
        let entityModel = try context.model.entity(entity)
        let recordID = id ?? RecordID.make()
        guard RecordID.isValid(recordID) else {
            throw .invalidID("an id has 1 to 200 characters and no whitespace or control characters")
        }
        let (record, errors) = RecordValidator(schema: context.model.schema).validateCreate(input, entity: entityModel)
        guard errors.isEmpty else { throw .validationFailed(errors) }
        try await checkReferences(record, entity: entityModel, model: context.model)
        var subject = record
        subject["id"] = .string(recordID)
        try authorize(.create, entityModel, record: .object(subject), principal: principal)
        let stream = try Self.streamName(entityModel, recordID)
        let metadata = Self.metadata(principal, correlationID)
        let event = EventData(
            type: entityModel.eventType(.created), payload: ContentEvent.payload(fields: record), metadata: metadata)
        let claims = entityModel.columns.filter {
            $0.field.isUnique && record[$0.name] != nil && record[$0.name] != .null
        }
        .map { ($0.field, record[$0.name]!) }
        let result: AppendResult
        do {
            result = try await appendWithClaims(
                StreamAppend(to: stream, expectedVersion: .noStream, events: [event]), entity: entityModel,
                recordID: recordID,
                claims: claims, releases: [], metadata: metadata)
        } catch .conflict {
            throw .alreadyExists(entity: entity, id: recordID)
        }
        let expected = ContentRecord(
            entity: entity, id: recordID, version: 0, fields: record, createdAt: Date(), updatedAt: Date(),
            createdBy: principal.actorName, updatedBy: principal.actorName, isDeleted: false)
        return try await readBack(
            entityModel, recordID, after: result, expected: expected, actor: principal.actorName, principal: principal)
    }

    /// Changes fields of a live record: appends `<Entity>Updated` with the fields whose values change
    /// and their previous values (nothing is appended when no value changes). `.null` clears a field.
    ///
    /// - Parameter expectedVersion: the version the caller last read; nil skips the check (a
    ///   concurrent change is then retried against the new state).
    /// - Throws: ``ContentError/conflict(entity:id:expected:actual:)``, ``ContentError/notFound(entity:id:)``
    ///   (also for a deleted record), and the errors of ``create(_:_:as:id:correlationID:)``.
    @discardableResult
    public func update(
        _ entity: String, id: String, _ changes: [String: JSONValue], expectedVersion: Int64? = nil,
        as principal: Principal, correlationID: String? = nil
    ) async throws(ContentError) -> ContentRecord {
        let context = try running()
        let entityModel = try context.model.entity(entity)
        let (normalized, errors) = RecordValidator(schema: context.model.schema).validateUpdate(
            changes, entity: entityModel)
        guard errors.isEmpty else { throw .validationFailed(errors) }
        for attempt in 0..<8 {
            guard let current = try await fetch(entityModel, id: id), !current.isDeleted else {
                throw .notFound(entity: entity, id: id)
            }
            if let expectedVersion, expectedVersion != current.version {
                throw .conflict(entity: entity, id: id, expected: expectedVersion, actual: current.version)
            }
            var changed: [String: JSONValue] = [:]
            var previous: [String: JSONValue] = [:]
            for (name, value) in normalized where current.fields[name] != value {
                changed[name] = value
                previous[name] = current.fields[name] ?? .null
            }
            if changed.isEmpty { return try visibleOrForbidden(current, entityModel, principal) }
            try await checkReferences(changed, entity: entityModel, model: context.model)
            try authorize(
                .update, entityModel, record: current.jsonValue, changed: Set(changed.keys), principal: principal)
            let metadata = Self.metadata(principal, correlationID)
            let event = EventData(
                type: entityModel.eventType(.updated),
                payload: ContentEvent.payload(fields: changed, previous: previous),
                metadata: metadata)
            let uniqueChanged = entityModel.columns.filter { $0.field.isUnique && changed[$0.name] != nil }
            let claims = uniqueChanged.compactMap { column in
                changed[column.name].flatMap { $0 == .null ? nil : (column.field, $0) }
            }
            let releases = uniqueChanged.compactMap { column in
                previous[column.name].flatMap { $0 == .null ? nil : (column.field, $0) }
            }
            do {
                let result = try await appendWithClaims(
                    StreamAppend(
                        to: try Self.streamName(entityModel, id), expectedVersion: .exact(current.version),
                        events: [event]),
                    entity: entityModel, recordID: id, claims: claims, releases: releases, metadata: metadata)
                var expected = current
                for (name, value) in changed { expected.fields[name] = value }
                return try await readBack(
                    entityModel, id, after: result, expected: expected, actor: principal.actorName, principal: principal
                )
            } catch .conflict(_, _, _, let actual) {
                if let expectedVersion {
                    throw .conflict(entity: entity, id: id, expected: expectedVersion, actual: actual)
                }
                try await catchUp(entityModel, attempt: attempt)
            }
        }
        throw .conflict(entity: entity, id: id, expected: -1, actual: -1)
    }

    /// Deletes a live record (soft: appends `<Entity>Deleted`; its unique values become free).
    ///
    /// - Returns: the record as it is now, with ``ContentRecord/isDeleted`` true.
    @discardableResult
    public func delete(
        _ entity: String, id: String, expectedVersion: Int64? = nil, as principal: Principal,
        correlationID: String? = nil
    ) async throws(ContentError) -> ContentRecord {
        try await lifecycleCommand(.deleted, entity, id: id, expectedVersion: expectedVersion, principal, correlationID)
    }

    /// Restores a deleted record (appends `<Entity>Restored`); its unique values must still be free.
    /// Restoring a live record changes nothing and returns it.
    @discardableResult
    public func restore(
        _ entity: String, id: String, expectedVersion: Int64? = nil, as principal: Principal,
        correlationID: String? = nil
    ) async throws(ContentError) -> ContentRecord {
        try await lifecycleCommand(
            .restored, entity, id: id, expectedVersion: expectedVersion, principal, correlationID)
    }

    private func lifecycleCommand(
        _ kind: RecordChange.Kind, _ entity: String, id: String, expectedVersion: Int64?, _ principal: Principal,
        _ correlationID: String?
    ) async throws(ContentError) -> ContentRecord {
        let context = try running()
        let entityModel = try context.model.entity(entity)
        for attempt in 0..<8 {
            guard let current = try await fetch(entityModel, id: id) else { throw .notFound(entity: entity, id: id) }
            if let expectedVersion, expectedVersion != current.version {
                throw .conflict(entity: entity, id: id, expected: expectedVersion, actual: current.version)
            }
            let deleting = kind == .deleted
            if current.isDeleted == deleting {
                if deleting { throw .notFound(entity: entity, id: id) }
                return try visibleOrForbidden(current, entityModel, principal)
            }
            try authorize(deleting ? .delete : .restore, entityModel, record: current.jsonValue, principal: principal)
            let metadata = Self.metadata(principal, correlationID)
            let event = EventData(
                type: entityModel.eventType(kind), payload: ContentEvent.payload(fields: [:]), metadata: metadata)
            let unique = entityModel.columns.compactMap { column -> (Field, JSONValue)? in
                guard column.field.isUnique, let value = current.fields[column.name], value != .null else { return nil }
                return (column.field, value)
            }
            do {
                let result = try await appendWithClaims(
                    StreamAppend(
                        to: try Self.streamName(entityModel, id), expectedVersion: .exact(current.version),
                        events: [event]),
                    entity: entityModel, recordID: id, claims: deleting ? [] : unique, releases: deleting ? unique : [],
                    metadata: metadata)
                var expected = current
                expected.isDeleted = deleting
                return try await readBack(
                    entityModel, id, after: result, expected: expected, actor: principal.actorName, principal: principal
                )
            } catch .conflict(_, _, _, let actual) {
                if let expectedVersion {
                    throw .conflict(entity: entity, id: id, expected: expectedVersion, actual: actual)
                }
                try await catchUp(entityModel, attempt: attempt)
            }
        }
        throw .conflict(entity: entity, id: id, expected: -1, actual: -1)
    }

    // MARK: Queries

    /// The live record with this id, or nil when there is none, it is deleted, or the principal may
    /// not read it.
    public func get(_ entity: String, id: String, as principal: Principal) async throws(ContentError) -> ContentRecord?
    {
        let context = try running()
        let entityModel = try context.model.entity(entity)
        guard let record = try await fetch(entityModel, id: id), !record.isDeleted else { return nil }
        return visible(record, entityModel, principal)
    }

    /// The record as it was at a time or a version, folded from its events (deleted or not); nil
    /// when it did not exist then. With both, the earlier of the two states.
    public func get(
        _ entity: String, id: String, asOf time: Date?, version: Int64?, as principal: Principal
    ) async throws(ContentError) -> ContentRecord? {
        let context = try running()
        let entityModel = try context.model.entity(entity)
        let events = try await streamEvents(entityModel, id: id, context: context)
        guard let state = RecordState.fold(events, entity: entityModel, upTo: version, asOf: time) else { return nil }
        return visible(state.record, entityModel, principal)
    }

    /// The live records with these ids that the principal may read, by id, in ONE read-model query
    /// (for GraphQL's batched loading of references).
    public func records(
        _ entity: String, ids: [String], as principal: Principal
    ) async throws(ContentError)
        -> [String: ContentRecord]
    {
        let context = try running()
        let entityModel = try context.model.entity(entity)
        let unique = Array(Set(ids.filter(RecordID.isValid)))
        guard !unique.isEmpty else { return [:] }
        guard unique.count <= FilterCompiler.maximumListValues else {
            throw .invalidFilter("at most \(FilterCompiler.maximumListValues) ids at once")
        }
        let rows = try await readQuery { connection in
            try RecordRows.live(entityModel, ids: unique, in: connection).rows
        }
        var result: [String: ContentRecord] = [:]
        result.reserveCapacity(rows.count)
        var reader = RecordRows.Reader(entity: entityModel, cache: context.recordCache)
        for record in reader.records(rows) {
            if let record = visible(record, entityModel, principal) { result[record.id] = record }
        }
        return result
    }

    /// A page of records. To load a relation for many parents at once (`Company.contacts`), list the
    /// child entity with `.field("company", .in(parentIDs))` and group by the reference in memory;
    /// to load what the page's records point to (`Contact.company`), name the reference fields in
    /// ``RecordQuery/includeReferences``: they are read in the page's read transaction.
    ///
    /// Row-level read rules are applied to the records of the page after they are read, so a page
    /// may hold fewer records than asked when some are hidden; `totalCount` counts every match.
    public func list(_ query: RecordQuery, as principal: Principal) async throws(ContentError) -> RecordPage {
        let context = try running()
        let entityModel = try context.model.entity(query.entity)
        let plan = try ListPlan(
            query, entity: entityModel, model: context.model, dialect: readModels.dialect,
            readable: readableFields(for: principal), maximumPageSize: configuration.maximumPageSize)
        if query.includeTotalCount { try authorize(.read, entityModel, record: nil, principal: principal) }
        let counter = self.counter
        let (rows, total, referenced) = try await readQuery(count: query.includeTotalCount ? 2 : 1) { connection in
            let rows = try connection.query(plan.pageSQL, plan.pageValues)
            let total = try plan.countSQL.map { try connection.scalar($0, plan.countValues) ?? 0 }
            return (rows, total, try plan.referencedRows(rows, in: connection, counter: counter))
        }
        // Under a policy that restricts nothing every record is seen whole: no per-record check.
        let restricts = !(policy is UnrestrictedAccessPolicy)
        var page = plan.page(
            rows: rows, total: total.map(Int.init), cache: context.recordCache,
            visible: restricts ? { record in self.visible(record, entityModel, principal) } : nil)
        if !plan.includes.isEmpty {
            page.references = plan.references(
                referenced, of: page.records, cache: context.recordCache,
                visible: restricts ? { entity, record in self.visible(record, entity, principal) } : nil)
        }
        return page
    }

    /// Count, min, max, sum and average over the live records that match `filter`.
    public func aggregate(
        _ entity: String, where filter: RecordFilter? = nil, as principal: Principal
    )
        async throws(ContentError) -> RecordAggregates
    {
        let context = try running()
        let entityModel = try context.model.entity(entity)
        try authorize(.read, entityModel, record: nil, principal: principal)
        var compiler = FilterCompiler(
            model: context.model, dialect: readModels.dialect, readable: readableFields(for: principal))
        var conditions = ["_deleted = 0"]
        if let filter { conditions.append(try compiler.compile(filter, entity: entityModel)) }
        let readable = readableFields(for: principal)(entityModel)
        var selections = ["count(*)"]
        var plan: [(ColumnModel, String)] = []
        for column in entityModel.columns where column.storage != .json && column.storage != .boolean {
            if let readable, !readable.contains(column.name) { continue }
            let c = column.column.quoted
            selections += ["min(\(c))", "max(\(c))"]
            plan.append((column, "minmax"))
            if column.storage == .integer || column.storage == .real {
                selections += ["sum(\(c))", "avg(\(c))"]
                plan.append((column, "sumavg"))
            }
        }
        let sql =
            "SELECT \(selections.joined(separator: ", ")) FROM \(entityModel.view.quoted) WHERE \(conditions.joined(separator: " AND "))"
        let values = compiler.values
        let row = try await readQuery { connection in try connection.query(sql, values).first }
        guard let row else { return RecordAggregates(count: 0, min: [:], max: [:], sum: [:], avg: [:]) }
        var result = RecordAggregates(count: Int(row[0].integer ?? 0), min: [:], max: [:], sum: [:], avg: [:])
        var index = 1
        for (column, kind) in plan {
            if kind == "minmax" {
                let min = ReadModelTable.jsonValue(row[index], column: column)
                let max = ReadModelTable.jsonValue(row[index + 1], column: column)
                if min != .null { result.min[column.name] = min }
                if max != .null { result.max[column.name] = max }
            } else {
                if let sum = row[index].real { result.sum[column.name] = sum }
                if let avg = row[index + 1].real { result.avg[column.name] = avg }
            }
            index += 2
        }
        return result
    }

    // MARK: History

    /// The record's changes, oldest first, with actor and time; updates of fields the principal may
    /// not read are left out.
    public func history(
        _ entity: String, id: String, as principal: Principal
    ) async throws(ContentError)
        -> [RecordChange]
    {
        let context = try running()
        let entityModel = try context.model.entity(entity)
        let events = try await streamEvents(entityModel, id: id, context: context)
        guard let latest = RecordState.fold(events, entity: entityModel) else { return [] }
        guard visible(latest.record, entityModel, principal) != nil else { return [] }
        let readable = readableFields(of: entityModel, record: latest.record.jsonValue, principal: principal)
        return events.filter { !Self.isInvisible($0.change, to: readable) }.map { Self.restrict($0.change, to: readable) }
    }

    /// Changes across entities by actor, entity and time range, newest first.
    ///
    /// Served from an audit table (`atomo_content_audit`, indexed by actor, entity and time) that a
    /// projector keeps; the query first waits for it to reach the log's head. Entities the principal
    /// may not read are left out; fields it may not read are removed.
    public func audit(_ query: AuditQuery, as principal: Principal) async throws(ContentError) -> [RecordChange] {
        let context = try running()
        guard (1...1000).contains(query.limit) else { throw .invalidFilter("limit must be between 1 and 1000") }
        var entities: [EntityModel] = []
        for name in query.entities ?? context.model.schema.entities.map(\.name) {
            let entity = try context.model.entity(name)
            if decide(.read, entity, record: nil, principal: principal).isAllowed { entities.append(entity) }
        }
        guard !entities.isEmpty else { return [] }
        if query.recordID != nil && entities.count != 1 { throw .invalidFilter("recordID needs exactly one entity") }
        guard let runner = context.audit else { throw .notRunning }
        do {
            try await runner.waitUntilCaughtUp(
                to: try await events.headPosition(), timeout: configuration.readYourWritesTimeout)
        } catch {
            throw .wrap(error)
        }
        let names = entities.map(\.name)
        let rows = try await readQuery { connection in
            try AuditProjector.query(query, entities: names, in: connection)
        }
        var result: [RecordChange] = []
        for row in rows {
            guard let change = AuditProjector.change(row, model: context.model),
                let entity = context.model.entities[change.entity]
            else { continue }
            let readable = readableFields(of: entity, record: nil, principal: principal)
            if Self.isInvisible(change, to: readable) { continue }
            result.append(Self.restrict(change, to: readable))
        }
        return result
    }

    /// Every content change after `position` (the start when nil): first the stored ones, then live
    /// ones as they commit, with all fields. Apply ``visibleChange(_:for:)`` before showing one.
    public func changes(after position: Int64? = nil) -> AsyncThrowingStream<RecordChange, any Error> {
        let subscription = events.subscribe(after: position ?? 0)
        let engine = self
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await event in subscription {
                        let decoder = engine.state.withLock { $0.decoder }
                        if let (_, decoded) = try decoder.decode(event) { continuation.yield(decoded.change) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// `change` as `principal` may see it — unreadable fields removed — or nil when the principal
    /// may not read the record, or when it is an update of fields the principal may not read only.
    public func visibleChange(_ change: RecordChange, for principal: Principal) -> RecordChange? {
        if policy is UnrestrictedAccessPolicy { return change }
        guard let entity = state.withLock({ $0.model.entities[change.entity] }) else { return nil }
        var subject = change.fields
        subject["id"] = .string(change.id)
        let record: JSONValue? = change.kind == .created ? .object(subject) : nil
        guard decide(.read, entity, record: record, principal: principal).isAllowed else { return nil }
        let readable = readableFields(of: entity, record: record, principal: principal)
        if Self.isInvisible(change, to: readable) { return nil }
        return Self.restrict(change, to: readable)
    }
}

/// The engine's mutable state.
struct EngineState: Sendable {
    var model: ContentModel
    var decoder: ContentEventDecoder
    /// Records decoded with `model`; replaced with it.
    var recordCache: RecordCache
    var readModels: [String: EntityReadModel] = [:]
    var audit: ProjectionRunner?
    var isRunning = false

    init(model: ContentModel, upcasters: UpcasterRegistry, recordCache: RecordCache) {
        self.model = model
        self.recordCache = recordCache
        self.decoder = ContentEventDecoder(model: model, upcasters: upcasters)
    }
}

/// Counts read-model queries.
final class QueryCounter: Sendable {
    private let count = Atomic<Int>(0)
    func add(_ n: Int = 1) { count.add(n, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
