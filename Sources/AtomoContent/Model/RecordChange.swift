public import AtomoSchema
public import Foundation

/// One change to one record: an event of its stream, as history, audit and the change feed show it.
///
/// ```swift
/// for change in try await engine.history("Contact", id: id, as: principal) {
///     print(change.version, change.kind, change.actor ?? "-", change.at, change.fields)
/// }
/// ```
public struct RecordChange: Sendable, Hashable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// `<Entity>Created`.
        case created
        /// `<Entity>Updated`.
        case updated
        /// `<Entity>Deleted`.
        case deleted
        /// `<Entity>Restored`.
        case restored
    }

    /// The entity's name.
    public var entity: String
    /// The record's id.
    public var id: String
    /// What happened.
    public var kind: Kind
    /// The record's version after the change (the event's stream version).
    public var version: Int64
    /// The event's global position.
    public var position: Int64
    /// When it committed.
    public var at: Date
    /// Who did it (the event's actor).
    public var actor: String?
    /// The request the change belongs to.
    public var correlationID: String?
    /// Values after the change: the whole record for `created`, the changed fields for `updated`,
    /// nothing for `deleted` and `restored`. Only fields the reader may read.
    public var fields: [String: JSONValue]
    /// For `updated`, the changed fields' values before the change.
    public var previous: [String: JSONValue]

    /// Creates a change.
    public init(
        entity: String, id: String, kind: Kind, version: Int64, position: Int64, at: Date, actor: String?,
        correlationID: String?, fields: [String: JSONValue], previous: [String: JSONValue]
    ) {
        self.entity = entity
        self.id = id
        self.kind = kind
        self.version = version
        self.position = position
        self.at = at
        self.actor = actor
        self.correlationID = correlationID
        self.fields = fields
        self.previous = previous
    }
}
