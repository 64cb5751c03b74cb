public import AtomoSQL

/// A read model updated inside the append transaction itself, for read-your-writes.
///
/// A store that supports inline projections (``SQLiteEventStore``, through
/// ``SQLiteEventStore/Configuration/inlineProjections``) calls ``apply(_:in:)`` with the recorded
/// events of each append, inside that append's transaction (its own savepoint when appends are
/// group-committed). When the append returns, the read model already reflects it. When
/// ``apply(_:in:)`` throws, the append fails with ``EventStoreError/inlineProjectionFailed(name:reason:)``
/// and nothing of it is written — neither events nor read-model rows.
///
/// Inline projections run on the store's writer: keep them to a few indexed writes per event.
/// AtomoProjection's `InlineSQLProjection` adapts any of its SQL projectors to this protocol.
///
/// ```swift
/// struct ContactCount: InlineProjection {
///     let name = "contact-count"
///     func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
///         try connection.execute("UPDATE counts SET n = n + ?1", [.integer(Int64(events.count))])
///     }
/// }
/// ```
public protocol InlineProjection: Sendable {
    /// A stable name, used in errors.
    var name: String { get }

    /// Updates the read model for the events of one append, in the append's transaction.
    ///
    /// - Parameters:
    ///   - events: the append's events, in position order, as readers will see them (upcast).
    ///   - connection: the store's connection, inside the open transaction. Do not commit or roll back.
    func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws
}
