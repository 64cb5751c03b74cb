import AtomoSchema
import AtomoSQL
import Foundation

/// Opaque cursors: base64url of `{"o": <ordering signature>, "k": [sort values…], "i": id}`.
///
/// The signature ties a cursor to its entity and ordering, so a cursor from another list throws
/// ``ContentError/invalidCursor`` instead of paging somewhere unexpected.
enum PageCursor {
    static func signature(entity: String, order: [SortKey]) -> String {
        StableHash.hex128(entity + "|" + order.map { "\($0.field):\($0.direction.rawValue)" }.joined(separator: ","))
            .prefix(12).description
    }

    static func encode(signature: String, keys: [SQLValue], id: String) -> String {
        let values: [JSONValue] = keys.map { value in
            switch value {
            case .null, .blob: .null
            case .integer(let int): .int(int)
            case .real(let double): .double(double)
            case .text(let text): .string(text)
            }
        }
        let json = ContentJSON.encode(["o": .string(signature), "k": .array(values), "i": .string(id)])
        return Data(json.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The sort values and id of a cursor, checked against the ordering's fields.
    static func decode(_ cursor: String, signature: String, fields: [QueryField]) throws(ContentError) -> ([SQLValue], String) {
        guard cursor.utf8.count <= 8192 else { throw .invalidCursor }
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let json = try? ContentJSON.decode(data),
            json["o"]?.stringValue == signature, case .array(let keys)? = json["k"], keys.count == fields.count,
            case .string(let id)? = json["i"]
        else { throw .invalidCursor }
        var values: [SQLValue] = []
        for (key, field) in zip(keys, fields) {
            switch (key, field.storage) {
            case (.null, _) where field.isNullable: values.append(.null)
            case (.string(let text), .text): values.append(.text(text))
            case (.int(let int), .integer), (.int(let int), .boolean): values.append(.integer(int))
            case (.int(let int), .real): values.append(.real(Double(int)))
            case (.double(let double), .real): values.append(.real(double))
            default: throw .invalidCursor
            }
        }
        return (values, id)
    }
}
