/// A lifecycle binding: when a record is created, updated or deleted (and a condition holds), enqueue
/// the named action as a durable job.
///
/// ```swift
/// ActionBinding(on: .updated, action: "notifyOwner", when: .changedAny(["stage", "amount"]))
/// ActionBinding(on: .created, action: "welcome", when: .fieldEquals("stage", "Lead"))
/// ```
public struct ActionBinding: Sendable, Hashable, Codable {
    /// The lifecycle event that triggers the action.
    public var event: LifecycleEvent
    /// The action's name, as workers register it.
    public var action: String
    /// The condition on the change; nil means always.
    public var condition: ActionCondition?

    /// Creates a binding.
    public init(on event: LifecycleEvent, action: String, when condition: ActionCondition? = nil) {
        self.event = event
        self.action = action
        self.condition = condition
    }

    private enum CodingKeys: String, CodingKey { case event = "on", action, condition = "when" }
}

/// The lifecycle events of a record.
public enum LifecycleEvent: String, Sendable, Hashable, Codable, CaseIterable {
    /// The record was created.
    case created
    /// Some of its fields changed.
    case updated
    /// It was deleted.
    case deleted
}

/// A condition on a record change.
///
/// Canonical JSON: `{"changedAny": ["stage"]}`, `{"fieldEquals": {"field": "stage", "value": "Won"}}`,
/// `{"all": [...]}`, `{"any": [...]}`.
public indirect enum ActionCondition: Sendable, Hashable {
    /// At least one of these fields changed (for `created`, was given a non-null value).
    case changedAny([String])
    /// The field's value after the change equals this value.
    case fieldEquals(String, JSONValue)
    /// Every condition holds.
    case all([ActionCondition])
    /// At least one condition holds.
    case any([ActionCondition])

    /// Whether the condition holds for a change from `before` to `after` (records as objects; `before`
    /// is nil for a create) that changed `changedFields`.
    public func holds(before: JSONValue?, after: JSONValue, changedFields: Set<String>) -> Bool {
        switch self {
        case .changedAny(let fields): return fields.contains(where: changedFields.contains)
        case .fieldEquals(let field, let value): return (after[field] ?? .null) == value
        case .all(let conditions):
            return conditions.allSatisfy { $0.holds(before: before, after: after, changedFields: changedFields) }
        case .any(let conditions):
            return conditions.contains { $0.holds(before: before, after: after, changedFields: changedFields) }
        }
    }
}

extension ActionCondition: Codable {
    private enum Key: String, CodingKey { case changedAny, fieldEquals, all, any }
    private enum FieldEqualsKey: String, CodingKey { case field, value }

    /// Decodes the canonical one-key object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "a condition has exactly one key: changedAny, fieldEquals, all or any"))
        }
        switch key {
        case .changedAny: self = .changedAny(try container.decode([String].self, forKey: key))
        case .fieldEquals:
            let pair = try container.nestedContainer(keyedBy: FieldEqualsKey.self, forKey: key)
            self = .fieldEquals(
                try pair.decode(String.self, forKey: .field), try pair.decode(JSONValue.self, forKey: .value))
        case .all: self = .all(try container.decode([ActionCondition].self, forKey: key))
        case .any: self = .any(try container.decode([ActionCondition].self, forKey: key))
        }
    }

    /// Encodes the canonical one-key object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .changedAny(let fields): try container.encode(fields, forKey: .changedAny)
        case .fieldEquals(let field, let value):
            var pair = container.nestedContainer(keyedBy: FieldEqualsKey.self, forKey: .fieldEquals)
            try pair.encode(field, forKey: .field)
            try pair.encode(value, forKey: .value)
        case .all(let conditions): try container.encode(conditions, forKey: .all)
        case .any(let conditions): try container.encode(conditions, forKey: .any)
        }
    }
}
