import Foundation

/// The custom metadata pairs as a JSON object with sorted keys — the SQL stores' column format.
package enum CustomMetadataJSON {
    package static func encode(_ pairs: [String: String]) -> String {
        var json = "{"
        for (index, key) in pairs.keys.sorted().enumerated() {
            if index > 0 { json += "," }
            JSONStringWriter.append(key, to: &json)
            json += ":"
            JSONStringWriter.append(pairs[key] ?? "", to: &json)
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
}
