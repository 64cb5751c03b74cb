public import Foundation

/// A query over every entity's changes, by actor, entity and time range, newest first.
///
/// ```swift
/// let lastWeek = AuditQuery(actor: "user-7", entities: ["Contact", "Deal"],
///                           from: Date().addingTimeInterval(-7 * 86_400), limit: 100)
/// let changes = try await engine.audit(lastWeek, as: admin)
/// ```
public struct AuditQuery: Sendable, Hashable {
    /// Only changes by this actor.
    public var actor: String?
    /// Only changes to these entities; nil for every entity.
    public var entities: [String]?
    /// Only this record (with a single entity).
    public var recordID: String?
    /// Only changes at or after this time.
    public var from: Date?
    /// Only changes before this time.
    public var to: Date?
    /// Only changes with a global position below this one (for the next page: the last position seen).
    public var beforePosition: Int64?
    /// The most changes to return (1…1000).
    public var limit: Int

    /// Creates an audit query.
    public init(
        actor: String? = nil, entities: [String]? = nil, recordID: String? = nil, from: Date? = nil, to: Date? = nil,
        beforePosition: Int64? = nil, limit: Int = 100
    ) {
        self.actor = actor
        self.entities = entities
        self.recordID = recordID
        self.from = from
        self.to = to
        self.beforePosition = beforePosition
        self.limit = limit
    }
}
