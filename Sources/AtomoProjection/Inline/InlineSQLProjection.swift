public import AtomoEvents
public import AtomoSQL

/// Runs a ``SQLProjector`` inline: inside each append's transaction in the event store, so that a
/// read after the append returns already sees its effect (read-your-writes).
///
/// Configure it on the store; create the projector's schema once before appending:
///
/// ```swift
/// let contacts = ContactsProjector()
/// let database = try await SQLiteDatabase.open(path: "app.sqlite")
/// try await InlineSQLProjection.createSchema(of: contacts, in: database)
/// let store = try await SQLiteEventStore(
///     database: database, configuration: .init(inlineProjections: [InlineSQLProjection(contacts)]))
/// ```
///
/// An inline projection sees the appends made while it is configured. To add one to a store that
/// already has events, first catch its read model up with a ``ProjectionRunner`` (same projector),
/// stop the runner, then configure the projection on the store before the next append.
/// If ``SQLProjector/apply(_:in:)`` throws, the append fails with
/// `EventStoreError.inlineProjectionFailed` and nothing of it is written.
public struct InlineSQLProjection: InlineProjection {
    /// The projector run inline.
    public let projector: any SQLProjector

    /// Wraps `projector`.
    public init(_ projector: any SQLProjector) {
        self.projector = projector
    }

    /// The projector's name.
    public var name: String { projector.name }

    /// Applies the append's events of the projector's types.
    public func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
        guard let types = projector.eventTypes else {
            try projector.apply(events, in: connection)
            return
        }
        let matching = events.filter { types.contains($0.type) }
        if !matching.isEmpty { try projector.apply(matching, in: connection) }
    }

    /// Creates the projector's tables in `database` (idempotent).
    public static func createSchema(of projector: any SQLProjector, in database: any SQLDatabase) async throws {
        try await database.writeTransaction { connection in try projector.createSchema(in: connection) }
    }
}
