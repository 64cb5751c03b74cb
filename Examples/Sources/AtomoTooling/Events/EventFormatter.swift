public import AtomoEvents
import Foundation

/// How `atomo events` prints recorded events: one line each, or one JSON object per line.
public struct EventFormatter: Sendable {
    /// The output style.
    public enum Style: String, Sendable, CaseIterable {
        /// `position  time  stream@version  type  actor  payload`, the payload cut to fit.
        case line
        /// One JSON object per event (JSON Lines), the payload included as JSON when it is JSON.
        case json
        /// Every field on its own line, the payload pretty-printed.
        case detail
    }

    /// The output style.
    public var style: Style

    /// Creates a formatter.
    public init(style: Style) { self.style = style }

    private static let timeFormat: Date.ISO8601FormatStyle = .iso8601.year().month().day()
        .dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted)

    /// The text for one event (without a trailing newline).
    public func format(_ event: RecordedEvent) -> String {
        switch style {
        case .line:
            var payload = String(decoding: event.payload, as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
            if payload.count > 100 { payload = String(payload.prefix(97)) + "..." }
            let actor = event.metadata.actor ?? "-"
            return
                "\(event.position)\t\(event.committedAt.formatted(Self.timeFormat))\t\(event.stream.rawValue)@\(event.streamVersion)\t\(event.type)\t\(actor)\t\(payload)"
        case .json:
            return String(decoding: (try? JSONSerialization.data(withJSONObject: object(event), options: [.sortedKeys])) ?? Data(), as: UTF8.self)
        case .detail:
            var lines = [
                "position:       \(event.position)",
                "id:             \(event.id.uuidString.lowercased())",
                "stream:         \(event.stream.rawValue)",
                "stream version: \(event.streamVersion)",
                "type:           \(event.type) (schema version \(event.schemaVersion))",
                "committed at:   \(event.committedAt.formatted(Self.timeFormat))",
            ]
            let metadata = event.metadata
            if let actor = metadata.actor { lines.append("actor:          \(actor)") }
            if let tenant = metadata.tenant { lines.append("tenant:         \(tenant)") }
            if let correlation = metadata.correlationID { lines.append("correlation:    \(correlation)") }
            if let causation = metadata.causationID { lines.append("causation:      \(causation)") }
            for (key, value) in metadata.custom.sorted(by: { $0.key < $1.key }) {
                lines.append("meta \(key): \(value)")
            }
            lines.append("payload:")
            if let json = try? JSONSerialization.jsonObject(with: event.payload, options: [.fragmentsAllowed]),
                let pretty = try? JSONSerialization.data(
                    withJSONObject: json, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed])
            {
                lines.append(String(decoding: pretty, as: UTF8.self))
            } else {
                lines.append("  (\(event.payload.count) bytes, not JSON)")
            }
            return lines.joined(separator: "\n")
        }
    }

    private func object(_ event: RecordedEvent) -> [String: Any] {
        var metadata: [String: Any] = [:]
        if let actor = event.metadata.actor { metadata["actor"] = actor }
        if let tenant = event.metadata.tenant { metadata["tenant"] = tenant }
        if let correlation = event.metadata.correlationID { metadata["correlationId"] = correlation }
        if let causation = event.metadata.causationID { metadata["causationId"] = causation }
        if !event.metadata.custom.isEmpty { metadata["custom"] = event.metadata.custom }
        let payload: Any =
            (try? JSONSerialization.jsonObject(with: event.payload, options: [.fragmentsAllowed]))
            ?? event.payload.base64EncodedString()
        return [
            "position": event.position, "id": event.id.uuidString.lowercased(), "stream": event.stream.rawValue,
            "streamVersion": event.streamVersion, "type": event.type, "schemaVersion": event.schemaVersion,
            "committedAt": event.committedAt.formatted(Self.timeFormat), "metadata": metadata, "payload": payload,
        ]
    }
}
