import AtomoEvents
import AtomoSchema
import Foundation

/// A content event decoded: which record, what happened, and its field values in the current
/// schema's names and types.
///
/// Payloads are JSON objects: `{"fields": {…}}` for `<Entity>Created` (the whole validated record),
/// `{"fields": {…changed…}, "previous": {…their values before…}}` for `<Entity>Updated`, `{}` for
/// `<Entity>Deleted` and `<Entity>Restored`.
struct ContentEvent: Sendable {
    var kind: RecordChange.Kind
    var entity: String
    var id: String
    var fields: [String: JSONValue]
    var previous: [String: JSONValue]
    var version: Int64
    var position: Int64
    var at: Date
    var actor: String?
    var correlationID: String?

    /// The payload of a new event.
    static func payload(fields: [String: JSONValue], previous: [String: JSONValue] = [:]) -> Data {
        var object: [String: JSONValue] = [:]
        if !fields.isEmpty { object["fields"] = .object(fields) }
        if !previous.isEmpty { object["previous"] = .object(previous) }
        return ContentJSON.data(.object(object))
    }

    /// The change as the public API shows it (every field; filter with the policy before showing).
    var change: RecordChange {
        RecordChange(
            entity: entity, id: id, kind: kind, version: version, position: position, at: at, actor: actor,
            correlationID: correlationID, fields: fields, previous: previous)
    }
}

/// Reads content events into the current schema's shape: engine upcasters, then renames recorded
/// in `formerNames`, then conversion of each value to its field's current type.
struct ContentEventDecoder: Sendable {
    let model: ContentModel
    let upcasters: UpcasterRegistry

    /// The entity whose stream and type `event` has, or nil for events that are not content events.
    func decode(_ event: RecordedEvent) throws -> (EntityModel, ContentEvent)? {
        var event = event
        if !upcasters.isEmpty { try upcasters.upcast(&event) }
        let category = String(event.stream.category)
        guard let entity = model.entities[category], let kind = entity.kind(ofEventType: event.type)
        else { return nil }
        let payload = try ContentJSON.decode(event.payload)
        var fields: [String: JSONValue] = [:]
        var previous: [String: JSONValue] = [:]
        if case .object(let members)? = payload["fields"] { fields = Self.current(members, entity: entity) }
        if case .object(let members)? = payload["previous"] { previous = Self.current(members, entity: entity) }
        return (
            entity,
            ContentEvent(
                kind: kind, entity: entity.name, id: String(event.stream.id), fields: fields, previous: previous,
                version: event.streamVersion, position: event.position, at: event.committedAt,
                actor: event.metadata.actor, correlationID: event.metadata.correlationID)
        )
    }

    /// Values under their current names, converted to their current types; unknown names dropped.
    static func current(_ members: [String: JSONValue], entity: EntityModel) -> [String: JSONValue] {
        // Events written under the current schema (nearly all) have nothing to rename or convert:
        // keep their dictionary rather than build an equal one.
        if members.allSatisfy({ name, value in
            entity.columnsByName[name].map { ValueCoercion.coerce(value, to: $0.field.type) == value } ?? false
        }) {
            return members
        }
        var result: [String: JSONValue] = [:]
        result.reserveCapacity(members.count)
        for (name, value) in members {
            if let column = entity.columnsByName[name] {
                result[name] = ValueCoercion.coerce(value, to: column.field.type)
            }
        }
        // A former name only fills in when the current one is absent (events written after the
        // rename use the new name).
        for (name, value) in members where entity.columnsByName[name] == nil {
            if let current = entity.renames[name], result[current] == nil, let column = entity.columnsByName[current] {
                result[current] = ValueCoercion.coerce(value, to: column.field.type)
            }
        }
        return result
    }
}

/// Converts a stored value to a field's current type, for events written under an older schema.
/// Values that do not convert become null (lists: empty).
enum ValueCoercion {
    static func coerce(_ value: JSONValue, to type: FieldType) -> JSONValue {
        if value == .null { return RecordValidator.isCollection(type) ? .array([]) : .null }
        switch type {
        case .json: return value
        case .string, .text, .email, .url, .enumeration, .reference, .date:
            switch value {
            case .string: return value
            case .int(let int): return .string(String(int))
            case .double(let double): return .string(double.rounded() == double && abs(double) < 1e15 ? String(Int64(double)) : "\(double)")
            case .bool(let bool): return .string(bool ? "true" : "false")
            default: return .string(ContentJSON.encode(value))
            }
        case .datetime:
            guard case .string(let text) = value else { return .null }
            return .string(RecordValidator.normalizeDateTime(text) ?? text)
        case .int:
            switch value {
            case .int: return value
            case .double: return value.intValue.map(JSONValue.int) ?? .null
            case .string(let text):
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if let int = Int64(trimmed) { return .int(int) }
                if let double = Double(trimmed), let int = JSONValue.double(double).intValue { return .int(int) }
                return .null
            case .bool(let bool): return .int(bool ? 1 : 0)
            default: return .null
            }
        case .float:
            switch value {
            case .int(let int): return .double(Double(int))
            case .double: return value
            case .string(let text): return Double(text.trimmingCharacters(in: .whitespaces)).map(JSONValue.double) ?? .null
            default: return .null
            }
        case .bool:
            switch value {
            case .bool: return value
            case .int(let int): return .bool(int != 0)
            case .string(let text): return text == "true" ? .bool(true) : text == "false" ? .bool(false) : .null
            default: return .null
            }
        case .list(let element):
            if case .array(let elements) = value {
                return .array(elements.map { coerce($0, to: element) }.filter { $0 != .null })
            }
            let single = coerce(value, to: element)
            return .array(single == .null ? [] : [single])
        case .blocks:
            if case .array = value { return value }
            return .array([])
        }
    }
}
