public import AtomoEvents
public import AtomoProjection
public import AtomoSchema
public import AtomoSQL
public import Foundation
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

        /// Creates a configuration.
        public init(
            projection: ProjectionRunner.Configuration = .init(batchSize: 2000), upcasters: [Upcaster] = [],
            readYourWritesTimeout: Duration = .seconds(30), maximumPageSize: Int = 1000, tablePrefix: String = "content_"
        ) {
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

    let state: Mutex<EngineState>
    let counter = QueryCounter()

    /// Creates an engine; nothing runs until ``start()``.
    ///
    /// - Throws: ``ContentError/invalidSchema(_:)`` when the schema is invalid or cannot be stored
    ///   (a field named like a read-model system column, a table name longer than 63 bytes).
    public init(
        schema: Schema, events: any EventStore, readModels: any SQLDatabase,
        policy: any AccessPolicy = UnrestrictedAccessPolicy(), configuration: Configuration = Configuration()
    ) throws(ContentError) {
        self.configuration = configuration
        self.events = events
        self.readModels = readModels
        self.policy = policy
        self.state = Mutex(EngineState(model: try ContentModel(schema, tablePrefix: configuration.tablePrefix)))
    }

    /// The schema the engine serves.
    public var schema: Schema { state.withLock { $0.model.schema } }

    /// How many read-model queries the engine has run since it was created (every `SELECT` against a
    /// read model counts one). GraphQL's batching tests compare it before and after a request.
    public var readModelQueryCount: Int { counter.value }

    // MARK: Lifecycle

    /// Creates or migrates the read-model tables and starts their projectors. Idempotent.
    ///
    /// Read models already built by an earlier run continue from their checkpoints; a read model
    /// whose stored shape differs from the schema's is rebuilt from the log (blue/green).
    public func start() async throws(ContentError) {
        throw .notRunning
    }

    /// Stops the projectors. Commands and queries then throw ``ContentError/notRunning``.
    public func stop() async {}

    /// Serves `new` from now on, migrating the read models.
    ///
    /// Per entity (see `SchemaDiff`): unchanged read models stay; additive changes (new optional
    /// fields, new indexes) `ALTER` the live table in place; anything else (a removed, renamed or
    /// retyped column) builds a new table from the log beside the live one and swaps it in when it
    /// has caught up, so readers never see an empty table. Renames keep their data through
    /// ``Field/formerNames``; type changes convert stored values where they convert (int ↔ string,
    /// int → float), and drop those that do not.
    public func replaceSchema(_ new: Schema) async throws(ContentError) {
        throw .notRunning
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
        throw .notRunning
    }

    /// Changes fields of a live record: appends `<Entity>Updated` with the fields whose values change
    /// and their previous values (nothing is appended when no value changes). `.null` clears a field.
    ///
    /// - Parameter expectedVersion: the version the caller last read; nil skips the check.
    /// - Throws: ``ContentError/conflict(entity:id:expected:actual:)``, ``ContentError/notFound(entity:id:)``
    ///   (also for a deleted record), and the errors of ``create(_:_:as:id:correlationID:)``.
    @discardableResult
    public func update(
        _ entity: String, id: String, _ changes: [String: JSONValue], expectedVersion: Int64? = nil,
        as principal: Principal, correlationID: String? = nil
    ) async throws(ContentError) -> ContentRecord {
        throw .notRunning
    }

    /// Deletes a live record (soft: appends `<Entity>Deleted`; its unique values become free).
    ///
    /// - Returns: the record as it is now, with ``ContentRecord/isDeleted`` true.
    @discardableResult
    public func delete(
        _ entity: String, id: String, expectedVersion: Int64? = nil, as principal: Principal,
        correlationID: String? = nil
    ) async throws(ContentError) -> ContentRecord {
        throw .notRunning
    }

    /// Restores a deleted record (appends `<Entity>Restored`); its unique values must still be free.
    @discardableResult
    public func restore(
        _ entity: String, id: String, expectedVersion: Int64? = nil, as principal: Principal,
        correlationID: String? = nil
    ) async throws(ContentError) -> ContentRecord {
        throw .notRunning
    }

    // MARK: Queries

    /// The live record with this id, or nil when there is none, it is deleted, or the principal may
    /// not read it.
    public func get(_ entity: String, id: String, as principal: Principal) async throws(ContentError) -> ContentRecord? {
        throw .notRunning
    }

    /// The record as it was at a time or a version, folded from its events (deleted or not); nil
    /// when it did not exist then. With both, the earlier of the two states.
    public func get(
        _ entity: String, id: String, asOf time: Date?, version: Int64?, as principal: Principal
    ) async throws(ContentError) -> ContentRecord? {
        throw .notRunning
    }

    /// The live records with these ids that the principal may read, by id, in ONE read-model query
    /// (for GraphQL's batched loading of references).
    public func records(_ entity: String, ids: [String], as principal: Principal) async throws(ContentError)
        -> [String: ContentRecord]
    {
        throw .notRunning
    }

    /// A page of records. To load a relation for many parents at once (`Company.contacts`), list the
    /// child entity with `.field("company", .in(parentIDs))` and group by the reference in memory.
    public func list(_ query: RecordQuery, as principal: Principal) async throws(ContentError) -> RecordPage {
        throw .notRunning
    }

    /// Count, min, max, sum and average over the live records that match `filter`.
    public func aggregate(_ entity: String, where filter: RecordFilter? = nil, as principal: Principal)
        async throws(ContentError) -> RecordAggregates
    {
        throw .notRunning
    }

    // MARK: History

    /// The record's changes, oldest first, with actor and time.
    public func history(_ entity: String, id: String, as principal: Principal) async throws(ContentError)
        -> [RecordChange]
    {
        throw .notRunning
    }

    /// Changes across entities by actor, entity and time range, newest first.
    public func audit(_ query: AuditQuery, as principal: Principal) async throws(ContentError) -> [RecordChange] {
        throw .notRunning
    }

    /// Every content change after `position` (the start when nil): first the stored ones, then live
    /// ones as they commit, with all fields. Apply ``visibleChange(_:for:)`` before showing one.
    public func changes(after position: Int64? = nil) -> AsyncThrowingStream<RecordChange, any Error> {
        AsyncThrowingStream { $0.finish(throwing: ContentError.notRunning) }
    }

    /// `change` as `principal` may see it — unreadable fields removed — or nil when the principal
    /// may not read the record.
    public func visibleChange(_ change: RecordChange, for principal: Principal) -> RecordChange? {
        nil
    }
}

/// The engine's mutable state.
struct EngineState: Sendable {
    var model: ContentModel
}

/// Counts read-model queries.
final class QueryCounter: Sendable {
    private let count = Atomic<Int>(0)
    func add(_ n: Int = 1) { count.add(n, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
