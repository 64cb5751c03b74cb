import AtomoEvents
import AtomoSchema
import Foundation

/// Unique values as claims in the log itself, so uniqueness holds under concurrency on every
/// event store without a lock or a table of its own.
///
/// Each (entity, field, value) has a claim stream, `AtomoUnique-<Entity>.<field>.<value key>`.
/// A command that gives a record a unique value appends `AtomoUniqueClaimed` to that stream in the
/// SAME atomic append as the record's event, expecting the stream to be new (or, when the last event
/// is `AtomoUniqueReleased`, expecting exactly that version). Two racing creates with one value both
/// expect the same version; the store's optimistic concurrency lets exactly one append through, and
/// the other writes nothing. Changing or deleting the value appends `AtomoUniqueReleased` (with no
/// version check: only the holder releases, and the holder's own stream is version-checked in the
/// same append).
///
/// The field part is the field's first name (the last of ``Field/formerNames``), so a rename keeps its
/// claims. Values are keyed by their text (`42` and `"42"` alike, so int ↔ string type changes keep
/// them); long or unusual values by a 128-bit hash of that text.
enum UniqueClaims {
    static let category = "AtomoUnique"
    static let claimedType = "AtomoUniqueClaimed"
    static let releasedType = "AtomoUniqueReleased"

    static func stream(entity: EntityModel, field: Field, value: JSONValue) -> StreamName? {
        let key: String
        switch value {
        case .string(let text): key = text
        case .int(let int): key = String(int)
        case .double(let double): key = double.rounded() == double && abs(double) < 1e15 ? String(Int64(double)) : "\(double)"
        case .bool(let bool): key = bool ? "true" : "false"
        default: return nil
        }
        let safe = key.utf8.count <= 100 && key.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "@") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
        }
        let fieldName = field.formerNames.last ?? field.name
        let encoded = safe ? "=" + key : "#" + StableHash.hex128(key)
        return try? StreamName(category: category, id: "\(entity.name).\(fieldName).\(encoded)")
    }

    static func event(_ type: String, entity: EntityModel, field: Field, recordID: String, metadata: EventMetadata) -> EventData {
        EventData(
            type: type,
            payload: ContentJSON.data(["entity": .string(entity.name), "field": .string(field.name), "id": .string(recordID)]),
            metadata: metadata)
    }

    /// Whether the claim stream's last event leaves the value free for `recordID`.
    static func isFree(lastEvent: RecordedEvent?, for recordID: String) -> Bool {
        guard let lastEvent else { return true }
        if lastEvent.type == releasedType { return true }
        let holder = (try? ContentJSON.decode(lastEvent.payload))?["id"]?.stringValue
        return holder == recordID
    }
}
