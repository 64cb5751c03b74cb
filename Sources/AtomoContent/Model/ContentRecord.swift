public import AtomoSchema
public import Foundation

/// One record of an entity as a principal may see it: its system fields and the declared fields it
/// may read.
///
/// Fields the principal may not read are absent from ``fields`` — they never leave the engine. A
/// field that is readable but has no value is present as `.null` (lists and blocks as `[]`).
///
/// ```swift
/// let contact = try await engine.create("Contact", ["name": "Ada", "email": "ada@example.com"], as: principal)
/// contact.id            // "0197…" (a UUIDv7 unless the caller chose one)
/// contact.version       // 0: the stream version, pass it back as an expected version
/// contact["name"]       // .string("Ada")
/// ```
public struct ContentRecord: Sendable, Hashable {
    /// The entity's name, e.g. `Contact`.
    public var entity: String
    /// The record's id (the id part of its stream, `Contact-<id>`).
    public var id: String
    /// The record's stream version: 0 after the create, +1 per update, delete or restore.
    public var version: Int64
    /// The declared fields the principal may read, by name.
    public var fields: [String: JSONValue]
    /// When the record was created (the create's commit time).
    public var createdAt: Date
    /// When the record last changed (the last event's commit time).
    public var updatedAt: Date
    /// Who created it (the create event's actor).
    public var createdBy: String?
    /// Who changed it last.
    public var updatedBy: String?
    /// Whether the record is deleted (soft: its stream stays, ``ContentEngine/restore(_:id:expectedVersion:as:correlationID:)`` brings it back).
    public var isDeleted: Bool
    /// The record's position in the list that returned it, for `after:` / `before:`; nil elsewhere.
    public var cursor: String?

    /// Creates a record value.
    public init(
        entity: String, id: String, version: Int64, fields: [String: JSONValue], createdAt: Date, updatedAt: Date,
        createdBy: String?, updatedBy: String?, isDeleted: Bool, cursor: String? = nil
    ) {
        self.entity = entity
        self.id = id
        self.version = version
        self.fields = fields
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.createdBy = createdBy
        self.updatedBy = updatedBy
        self.isDeleted = isDeleted
        self.cursor = cursor
    }

    /// The value of the declared field `name`, or nil when it is absent (unknown or not readable).
    public subscript(name: String) -> JSONValue? { fields[name] }

    /// The record's system and declared fields as one JSON object, as access rules see `record`:
    /// `id`, `version`, `createdAt`/`updatedAt` (ISO 8601), `createdBy`/`updatedBy`, and the fields.
    public var jsonValue: JSONValue {
        var object = fields
        object["id"] = .string(id)
        object["version"] = .int(version)
        object["createdAt"] = .string(ContentTime.iso8601(createdAt))
        object["updatedAt"] = .string(ContentTime.iso8601(updatedAt))
        object["createdBy"] = createdBy.map(JSONValue.string) ?? .null
        object["updatedBy"] = updatedBy.map(JSONValue.string) ?? .null
        return .object(object)
    }
}
