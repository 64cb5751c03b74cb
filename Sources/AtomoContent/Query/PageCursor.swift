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

    /// The cursor of a record: its sort values (`keys`, in the ordering's order, without the id) and id.
    ///
    /// Written straight into one string, with the bytes `ContentJSON.encode` gives the same object
    /// (keys sorted: `i`, `k`, `o`): a list makes one cursor per record it returns.
    static func encode(signature: String, keys: some Sequence<SQLValue>, id: String) -> String {
        var json = "{\"i\":"
        json.reserveCapacity(48 + id.utf8.count + signature.utf8.count)
        ContentJSON.writeString(id, to: &json)
        json += ",\"k\":["
        var first = true
        for value in keys {
            if !first { json += "," }
            first = false
            switch value {
            case .null, .blob: json += "null"
            case .integer(let int): ContentJSON.write(.int(int), to: &json)
            case .real(let double): ContentJSON.write(.double(double), to: &json)
            case .text(let text): ContentJSON.writeString(text, to: &json)
            }
        }
        json += "],\"o\":"
        ContentJSON.writeString(signature, to: &json)
        json += "}"
        return base64URL(json.utf8)
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Unpadded base64url (RFC 4648 §5), written directly: a cursor is made for every listed record,
    /// and Foundation's base64 plus three `NSString` replacements cost more than the page query.
    static func base64URL(_ bytes: String.UTF8View) -> String {
        let input = Array(bytes)
        let outputCount = (input.count * 4 + 2) / 3
        return String(unsafeUninitializedCapacity: outputCount) { output in
            var written = 0
            var index = 0
            while index + 3 <= input.count {
                let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                output[written] = alphabet[Int(chunk >> 18 & 63)]
                output[written + 1] = alphabet[Int(chunk >> 12 & 63)]
                output[written + 2] = alphabet[Int(chunk >> 6 & 63)]
                output[written + 3] = alphabet[Int(chunk & 63)]
                written += 4
                index += 3
            }
            let rest = input.count - index
            if rest > 0 {
                let chunk = UInt32(input[index]) << 16 | (rest == 2 ? UInt32(input[index + 1]) << 8 : 0)
                output[written] = alphabet[Int(chunk >> 18 & 63)]
                output[written + 1] = alphabet[Int(chunk >> 12 & 63)]
                written += 2
                if rest == 2 {
                    output[written] = alphabet[Int(chunk >> 6 & 63)]
                    written += 1
                }
            }
            return written
        }
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
