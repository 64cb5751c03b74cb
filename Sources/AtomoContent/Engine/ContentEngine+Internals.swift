import AtomoEvents
import AtomoProjection
import AtomoSchema
import AtomoSQL
import Foundation
import Synchronization

/// What one command or query works with: a consistent snapshot of the engine's state.
struct EngineContext {
    let model: ContentModel
    let decoder: ContentEventDecoder
    let readModels: [String: EntityReadModel]
    let audit: ProjectionRunner?
    /// Records decoded with `model`.
    let recordCache: RecordCache
}

/// Runs lifecycle operations (start, schema changes) one at a time.
actor SerialGate {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async throws(ContentError) -> T) async throws(ContentError) -> T {
        while busy { await withCheckedContinuation { waiters.append($0) } }
        busy = true
        defer {
            busy = false
            if !waiters.isEmpty { waiters.removeFirst().resume() }
        }
        return try await body()
    }
}

extension ContentEngine {
    func running() throws(ContentError) -> EngineContext {
        try state.withLock { state throws(ContentError) -> EngineContext in
            guard state.isRunning else { throw .notRunning }
            return EngineContext(
                model: state.model, decoder: state.decoder, readModels: state.readModels, audit: state.audit,
                recordCache: state.recordCache)
        }
    }

    // MARK: Lifecycle

    func startReadModels() async throws {
        let (model, decoder) = state.withLock { ($0.model, $0.decoder) }
        let stored = try await readModels.writeTransaction { connection -> [String: Entity] in
            try EntityReadModel.createShapesTable(in: connection)
            try SQLCheckpointStore.createTables(in: connection)
            var stored: [String: Entity] = [:]
            for entity in model.entities.values {
                if let old = try EntityReadModel.storedEntity(view: entity.view, in: connection) { stored[entity.name] = old }
            }
            return stored
        }
        var started: [String: EntityReadModel] = [:]
        var pending: EntityReadModel?
        do {
            for entity in model.schema.entities {
                let entityModel = try model.entity(entity.name)
                let readModel = EntityReadModel(
                    entity: entityModel, decoder: decoder, store: events, database: readModels, configuration: configuration.projection,
                    commitTimes: commitTimes, daemon: daemon, logger: logger)
                pending = readModel
                if let old = stored[entity.name], let oldModel = try? EntityModel(old, schema: model.schema, tablePrefix: model.tablePrefix) {
                    let oldDecoder = ContentEventDecoder(
                        model: model.replacing(oldModel), upcasters: UpcasterRegistry(configuration.upcasters))
                    try await readModel.start(liveEntity: oldModel, decoder: oldDecoder)
                    switch EntityReadModel.migration(from: oldModel, to: entityModel) {
                    case .none: break
                    case .addColumns(let names): try await readModel.addColumns(names, entity: entityModel, decoder: decoder)
                    case .rebuild: try await readModel.rebuild(entity: entityModel, decoder: decoder)
                    }
                } else {
                    try await readModel.start(liveEntity: entityModel, decoder: decoder)
                    let view = entityModel.view
                    try await readModels.writeTransaction { connection in
                        try EntityReadModel.saveEntity(entity, view: view, in: connection)
                    }
                }
                started[entity.name] = readModel
            }
        } catch {
            // Stop (and take out of the daemon) what started, so that a later start() begins afresh.
            for readModel in started.values { await readModel.stop() }
            await pending?.stop()
            throw error
        }
        let audit = ProjectionRunner(
            store: events, projector: AuditProjector(), database: readModels, configuration: configuration.projection,
            logger: logger)
        try daemon.register(audit)
        audit.start()
        state.withLock { state in
            state.readModels = started
            state.audit = audit
            state.isRunning = true
        }
    }

    func migrate(to newModel: ContentModel) async throws {
        do {
            try await migrateReadModels(to: newModel)
        } catch {
            // Some read models may have moved to tables of the new shape while the old model still
            // serves: records it decoded before are no longer sure answers.
            let recordCache = configuration.makeRecordCache()
            state.withLock { $0.recordCache = recordCache }
            throw error
        }
    }

    private func migrateReadModels(to newModel: ContentModel) async throws {
        let (oldModel, current) = state.withLock { ($0.model, $0.readModels) }
        let decoder = ContentEventDecoder(model: newModel, upcasters: UpcasterRegistry(configuration.upcasters))
        var readModelsByName: [String: EntityReadModel] = [:]
        for entity in newModel.schema.entities {
            let entityModel = try newModel.entity(entity.name)
            if let readModel = current[entity.name], let old = oldModel.entities[entity.name] {
                switch EntityReadModel.migration(from: old, to: entityModel) {
                case .none: try await readModel.refresh(entity: entityModel, decoder: decoder)
                case .addColumns(let names): try await readModel.addColumns(names, entity: entityModel, decoder: decoder)
                case .rebuild: try await readModel.rebuild(entity: entityModel, decoder: decoder)
                }
                readModelsByName[entity.name] = readModel
            } else {
                let readModel = EntityReadModel(
                    entity: entityModel, decoder: decoder, store: events, database: readModels, configuration: configuration.projection,
                    commitTimes: commitTimes, daemon: daemon, logger: logger)
                try await readModel.start(liveEntity: entityModel, decoder: decoder)
                let view = entityModel.view
                try await readModels.writeTransaction { connection in try EntityReadModel.saveEntity(entity, view: view, in: connection) }
                readModelsByName[entity.name] = readModel
            }
        }
        let removed = current.filter { readModelsByName[$0.key] == nil }.map(\.value)
        // Records decoded with the old model are not answers in the new one.
        let recordCache = configuration.makeRecordCache()
        state.withLock { state in
            state.model = newModel
            state.decoder = decoder
            state.readModels = readModelsByName
            state.recordCache = recordCache
        }
        for readModel in removed { await readModel.stop() }
    }

    // MARK: Access

    func decide(_ operation: AccessOperation, _ entity: EntityModel, record: JSONValue?, changed: Set<String> = [], principal: Principal)
        -> AccessDecision
    {
        if policy is UnrestrictedAccessPolicy { return .allow }
        return policy.decide(
            AccessRequest(principal: principal, operation: operation, entity: entity.entity, record: record, changedFields: changed))
    }

    func authorize(
        _ operation: AccessOperation, _ entity: EntityModel, record: JSONValue?, changed: Set<String> = [], principal: Principal
    ) throws(ContentError) {
        if case .deny(let reason) = decide(operation, entity, record: record, changed: changed, principal: principal) {
            throw .forbidden(reason)
        }
    }

    /// The readable field names per entity for filters and orderings (nil: everything).
    func readableFields(for principal: Principal) -> @Sendable (EntityModel) -> Set<String>? {
        let policy = self.policy
        if policy is UnrestrictedAccessPolicy { return { _ in nil } }
        return { entity in policy.readableFields(of: entity.entity, record: nil, for: principal) }
    }

    func readableFields(of entity: EntityModel, record: JSONValue?, principal: Principal) -> Set<String>? {
        if policy is UnrestrictedAccessPolicy { return nil }
        return policy.readableFields(of: entity.entity, record: record, for: principal)
    }

    /// The record as the principal may see it, or nil.
    func visible(_ record: ContentRecord, _ entity: EntityModel, _ principal: Principal) -> ContentRecord? {
        if policy is UnrestrictedAccessPolicy { return record }
        let subject = record.jsonValue
        guard decide(.read, entity, record: subject, principal: principal).isAllowed else { return nil }
        let readable = policy.readableFields(of: entity.entity, record: subject, for: principal)
        var result = record
        result.fields = record.fields.filter { readable.contains($0.key) }
        return result
    }

    func visibleOrForbidden(_ record: ContentRecord, _ entity: EntityModel, _ principal: Principal) throws(ContentError) -> ContentRecord {
        guard let visible = visible(record, entity, principal) else { throw .forbidden("\(entity.name) \(record.id) cannot be read") }
        return visible
    }

    /// Whether `change` is an update of fields none of which are in `readable`: to that reader the
    /// change does not exist (showing it, even with no fields, would tell that a hidden field changed).
    static func isInvisible(_ change: RecordChange, to readable: Set<String>?) -> Bool {
        guard let readable, change.kind == .updated, !change.fields.isEmpty else { return false }
        return !change.fields.keys.contains(where: readable.contains)
    }

    static func restrict(_ change: RecordChange, to readable: Set<String>?) -> RecordChange {
        guard let readable else { return change }
        var result = change
        result.fields = change.fields.filter { readable.contains($0.key) }
        result.previous = change.previous.filter { readable.contains($0.key) }
        return result
    }

    // MARK: Writing

    static func streamName(_ entity: EntityModel, _ id: String) throws(ContentError) -> StreamName {
        do {
            return try StreamName(category: entity.name, id: id)
        } catch {
            throw .invalidID("an id has 1 to 200 characters and no whitespace or control characters")
        }
    }

    static func metadata(_ principal: Principal, _ correlationID: String?) -> EventMetadata {
        EventMetadata(correlationID: correlationID, actor: principal.actorName, tenant: principal.tenant)
    }

    /// Appends the record's event with its unique claims and releases, atomically; returns the
    /// position of the record's event. A version conflict on the record's stream is thrown as
    /// ``ContentError/conflict(entity:id:expected:actual:)``.
    func appendWithClaims(
        _ record: StreamAppend, entity: EntityModel, recordID: String, claims: [(Field, JSONValue)],
        releases: [(Field, JSONValue)], metadata: EventMetadata
    ) async throws(ContentError) -> AppendResult {
        var expectations: [StreamName: ExpectedVersion] = [:]
        var claimFields: [StreamName: Field] = [:]
        for attempt in 0..<16 {
            var appends = [record]
            for (field, value) in claims {
                guard let stream = UniqueClaims.stream(entity: entity, field: field, value: value) else { continue }
                claimFields[stream] = field
                appends.append(
                    StreamAppend(
                        to: stream, expectedVersion: expectations[stream] ?? .noStream,
                        events: [UniqueClaims.event(UniqueClaims.claimedType, entity: entity, field: field, recordID: recordID, metadata: metadata)]))
            }
            for (field, value) in releases {
                guard let stream = UniqueClaims.stream(entity: entity, field: field, value: value),
                    !appends.contains(where: { $0.stream == stream })
                else { continue }
                appends.append(
                    StreamAppend(
                        to: stream, expectedVersion: .any,
                        events: [UniqueClaims.event(UniqueClaims.releasedType, entity: entity, field: field, recordID: recordID, metadata: metadata)]))
            }
            do {
                let results = try await events.append(appends)
                return results[0]
            } catch EventStoreError.wrongExpectedVersion(let stream, _, let actual) {
                if stream == record.stream {
                    var expected: Int64 = -1
                    if case .exact(let version) = record.expectedVersion { expected = version }
                    throw .conflict(entity: entity.name, id: recordID, expected: expected, actual: actual ?? -1)
                }
                guard let field = claimFields[stream] else { throw .storageFailure("an unexpected stream conflicted") }
                let last: RecordedEvent?
                do {
                    last = try await events.readStream(stream, from: .end, direction: .backwards, limit: 1).first
                } catch {
                    throw .wrap(error)
                }
                guard UniqueClaims.isFree(lastEvent: last, for: recordID) else {
                    throw .uniqueViolation(entity: entity.name, field: field.name)
                }
                expectations[stream] = last.map { .exact($0.streamVersion) } ?? .noStream
                if attempt > 4 { try? await Task.sleep(for: .milliseconds(attempt)) }
            } catch {
                throw .wrap(error)
            }
        }
        throw .storageFailure("the unique values of \(entity.name) \(recordID) kept changing; try again")
    }

    /// Checks that every reference names a live record (one query per referenced entity).
    func checkReferences(_ values: [String: JSONValue], entity: EntityModel, model: ContentModel) async throws(ContentError) {
        var byTarget: [String: [(field: String, id: String)]] = [:]
        for column in entity.columns {
            guard case .reference(let target) = column.field.type, case .string(let id)? = values[column.name] else { continue }
            byTarget[target, default: []].append((column.name, id))
        }
        for (target, references) in byTarget.sorted(by: { $0.key < $1.key }) {
            let targetModel = try model.entity(target)
            let ids = Array(Set(references.map(\.id)))
            let view = targetModel.view
            let found = try await readQuery { connection in
                let p = connection.dialect.placeholder
                let rows = try connection.query(
                    "SELECT id FROM \(view.quoted) WHERE id IN (\((1...ids.count).map(p).joined(separator: ", "))) AND _deleted = 0",
                    ids.map(SQLValue.text))
                return Set(rows.compactMap { $0[0].text })
            }
            if let missing = references.first(where: { !found.contains($0.id) }) {
                throw .referenceNotFound(field: missing.field, id: missing.id)
            }
        }
    }

    /// Waits for the read model to show the append, then returns the record as the principal sees it:
    /// `expected` (the state before with the change applied) stamped with the commit time the
    /// projector saw, or, when that is not at hand, the row read back.
    func readBack(
        _ entity: EntityModel, _ id: String, after result: AppendResult, expected: ContentRecord?, actor: String,
        principal: Principal
    ) async throws(ContentError) -> ContentRecord {
        try await waitForReadModel(entity, position: result.lastPosition)
        if var record = expected, let time = commitTimes.take(result.lastPosition) {
            record.version = result.lastVersion
            if result.lastVersion == 0 {
                record.createdAt = time
                record.createdBy = actor
            }
            record.updatedAt = time
            record.updatedBy = actor
            return try visibleOrForbidden(record, entity, principal)
        }
        guard let record = try await fetch(entity, id: id) else { throw .notFound(entity: entity.name, id: id) }
        return try visibleOrForbidden(record, entity, principal)
    }

    func waitForReadModel(_ entity: EntityModel, position: Int64) async throws(ContentError) {
        guard let readModel = state.withLock({ $0.readModels[entity.name] }) else { throw .notRunning }
        do {
            try await readModel.waitUntilApplied(position, timeout: configuration.readYourWritesTimeout)
        } catch {
            throw .wrap(error)
        }
    }

    /// After a version conflict without an expected version: let the read model reach the head.
    func catchUp(_ entity: EntityModel, attempt: Int) async throws(ContentError) {
        let head: Int64
        do {
            head = try await events.headPosition()
        } catch {
            throw .wrap(error)
        }
        try await waitForReadModel(entity, position: head)
    }

    // MARK: Reading

    /// The record's row (deleted or not), with every field.
    func fetch(_ entity: EntityModel, id: String) async throws(ContentError) -> ContentRecord? {
        guard RecordID.isValid(id) else { return nil }
        let view = entity.view
        let row = try await readQuery { connection in
            try connection.query(
                "SELECT \(RecordRows.selectList(entity)) FROM \(view.quoted) WHERE id = \(connection.dialect.placeholder(1))", [.text(id)]
            ).first
        }
        return row.map { RecordRows.record($0, entity: entity) }
    }

    /// Runs read-model queries in one read transaction, counting them.
    func readQuery<T: Sendable>(count: Int = 1, _ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws(ContentError) -> T {
        counter.add(count)
        do {
            return try await readModels.readTransaction(body)
        } catch {
            throw .wrap(error)
        }
    }

    /// The record's events, decoded in the current schema's shape.
    func streamEvents(_ entity: EntityModel, id: String, context: EngineContext) async throws(ContentError) -> [ContentEvent] {
        guard RecordID.isValid(id) else { return [] }
        let stream = try Self.streamName(entity, id)
        do {
            let recorded = try await events.readStream(stream)
            return try recorded.compactMap { try context.decoder.decode($0)?.1 }
        } catch {
            throw .wrap(error)
        }
    }
}

extension ContentModel {
    /// The same model with one entity replaced (for a read model still built for an older shape).
    func replacing(_ entity: EntityModel) -> ContentModel {
        var copy = self
        copy.entitiesByName[entity.name] = entity
        return copy
    }
}
