public import AtomoEvents
public import AtomoSQL

/// A read model in a SQL database, updated **exactly once** per event: the runner calls
/// ``apply(_:in:)`` and saves the checkpoint in the same transaction, so after any crash either
/// both the batch's rows and its checkpoint are there, or neither is.
///
/// Write the SQL once against ``SQLConnection`` (placeholders from `connection.dialect`), and the
/// projector runs on SQLite and on PostgreSQL alike.
///
/// ```swift
/// struct ContactsProjector: SQLProjector {
///     let name = "contacts"
///     let eventTypes: Set<String>? = ["ContactCreated", "ContactRenamed"]
///     let table: SQLIdentifier                      // e.g. try SQLIdentifier("contacts")
///
///     func createSchema(in connection: any SQLConnection) throws {
///         try connection.execute("CREATE TABLE IF NOT EXISTS \(table.quoted) (id TEXT PRIMARY KEY, name TEXT)", [])
///     }
///     func reset(in connection: any SQLConnection) throws {
///         try connection.execute("DELETE FROM \(table.quoted)", [])
///     }
///     func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
///         let p = connection.dialect.placeholder
///         let upsert = "INSERT INTO \(table.quoted) (id, name) VALUES (\(p(1)), \(p(2))) "
///             + "ON CONFLICT (id) DO UPDATE SET name = excluded.name"
///         try connection.executeMany(upsert, events.map { [.text($0.stream.rawValue), .text(try name(in: $0))] })
///     }
/// }
/// ```
public protocol SQLProjector: Sendable {
    /// A stable name: the key of the projector's checkpoint. Renaming it replays from zero.
    var name: String { get }

    /// The event types the projector handles, or nil for every event.
    var eventTypes: Set<String>? { get }

    /// Creates the read model's tables and indexes if they do not exist (idempotent). Called once
    /// when a runner starts, in a transaction.
    func createSchema(in connection: any SQLConnection) throws

    /// Empties the read model, for a rebuild. Called in the same transaction that resets the
    /// checkpoint to zero.
    func reset(in connection: any SQLConnection) throws

    /// Applies a batch of events, in position order, inside the transaction that also saves the
    /// checkpoint. Do not commit or roll back; throw to roll back the batch.
    func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws

    /// What ``prepare(_:)`` makes of a batch; `Void` unless the projector prepares.
    associatedtype Prepared: Sendable = Void

    /// Work on a batch that needs no database — decoding payloads, building values — which a runner
    /// does *before* it opens the batch's transaction, then hands to ``apply(_:prepared:in:)``.
    ///
    /// On SQLite the event store and every read model share one writer, and whatever runs inside a
    /// transaction holds it; work moved here runs beside the writer instead. Throwing here counts as
    /// a failure of the batch, exactly as throwing from `apply` does. Inline projections and other
    /// callers of ``apply(_:in:)`` do not call it. Default: nothing.
    func prepare(_ events: [RecordedEvent]) throws -> Prepared

    /// Applies a batch that ``prepare(_:)`` made ready, inside the transaction that also saves the
    /// checkpoint: the same effect as ``apply(_:in:)``. Default: ``apply(_:in:)``.
    func apply(_ events: [RecordedEvent], prepared: Prepared, in connection: any SQLConnection) throws
}

extension SQLProjector {
    /// Every event type.
    public var eventTypes: Set<String>? { nil }
}

extension SQLProjector where Prepared == Void {
    /// Prepares nothing.
    public func prepare(_ events: [RecordedEvent]) throws {}

    /// Applies the batch with ``apply(_:in:)``.
    public func apply(_ events: [RecordedEvent], prepared: Void, in connection: any SQLConnection) throws {
        try apply(events, in: connection)
    }
}
