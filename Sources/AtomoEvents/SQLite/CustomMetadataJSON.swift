import Foundation

/// The custom metadata pairs as a JSON object with sorted keys — the SQL stores' column format.
package enum CustomMetadataJSON {
    package static func encode(_ pairs: [String: String]) -> String {
        var json = "{"
        for (index, key) in pairs.keys.sorted().enumerated() {
            if index > 0 { json += "," }
            appendQuoted(key, to: &json)
            json += ":"
            appendQuoted(pairs[key] ?? "", to: &json)
        }
        json += "}"
        return json
    }

    package static func decode(_ json: String) throws(EventStoreError) -> [String: String] {
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
        } catch {
            throw .corrupted("custom metadata is not a JSON object of strings")
        }
    }

    private static func appendQuoted(_ string: String, to json: inout String) {
        json += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case "\n": json += "\\n"
            case "\r": json += "\\r"
            case "\t": json += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    json += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    json.unicodeScalars.append(scalar)
                }
            }
        }
        json += "\""
    }
}
