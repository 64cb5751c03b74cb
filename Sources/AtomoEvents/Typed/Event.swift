public import Foundation

/// A typed event: a `Codable` value with a stable type name and schema version.
///
/// ```swift
/// struct ContactCreated: Event {
///     static let eventType = "ContactCreated"
///     var name: String
///     var email: String?
/// }
/// let data = try JSONEventCodec().encode(ContactCreated(name: "Ada"), metadata: EventMetadata(actor: "user-7"))
/// ```
public protocol Event: Codable, Sendable {
    /// The type name stored with the event. Keep it stable: it is how stored events are found again.
    static var eventType: String { get }
    /// The version of this type's payload shape; raise it when the shape changes and register an
    /// ``Upcaster`` from the previous version. Defaults to 1.
    static var schemaVersion: Int { get }
}

extension Event {
    /// Version 1.
    public static var schemaVersion: Int { 1 }
}

/// Encodes typed events to ``EventData`` and decodes ``RecordedEvent``s back, as JSON.
///
/// ```swift
/// let codec = JSONEventCodec()
/// let data = try codec.encode(ContactCreated(name: "Ada"))
/// let event = try codec.decode(ContactCreated.self, from: recorded)
/// ```
public struct JSONEventCodec: Sendable {
    /// How dates are written: ISO 8601 with fractional seconds by default.
    public var dateEncoding: DateEncoding

    /// How a codec writes `Date` values.
    public enum DateEncoding: Sendable {
        /// ISO 8601 strings, e.g. `2026-11-29T19:00:00.123Z`.
        case iso8601
        /// Seconds since 1970 as a number.
        case secondsSince1970
    }

    /// Creates a codec.
    public init(dateEncoding: DateEncoding = .iso8601) {
        self.dateEncoding = dateEncoding
    }

    /// Encodes `event` as JSON with sorted keys.
    public func encode<E: Event>(_ event: E, id: UUID = UUID.timeOrdered(), metadata: EventMetadata = .none) throws
        -> EventData
    {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch dateEncoding {
        case .iso8601:
            encoder.dateEncodingStrategy = .custom { date, encoder in
                var container = encoder.singleValueContainer()
                try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            }
        case .secondsSince1970: encoder.dateEncodingStrategy = .secondsSince1970
        }
        return EventData(
            id: id, type: E.eventType, schemaVersion: E.schemaVersion, payload: try encoder.encode(event), metadata: metadata)
    }

    /// Decodes `recorded` as `E`.
    /// - Throws: ``EventStoreError/decodingFailed(type:reason:)`` when the type or schema version
    ///   differs from `E`'s, or the payload does not decode.
    public func decode<E: Event>(_ type: E.Type, from recorded: RecordedEvent) throws(EventStoreError) -> E {
        guard recorded.type == E.eventType else {
            throw .decodingFailed(type: recorded.type, reason: "expected type \(E.eventType)")
        }
        guard recorded.schemaVersion == E.schemaVersion else {
            throw .decodingFailed(
                type: recorded.type,
                reason: "schema version \(recorded.schemaVersion) is not \(E.schemaVersion); register an upcaster")
        }
        let decoder = JSONDecoder()
        switch dateEncoding {
        case .iso8601:
            decoder.dateDecodingStrategy = .custom { decoder in
                let text = try decoder.singleValueContainer().decode(String.self)
                if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
                    return date
                }
                return try Date(text, strategy: .iso8601)
            }
        case .secondsSince1970: decoder.dateDecodingStrategy = .secondsSince1970
        }
        do {
            return try decoder.decode(E.self, from: recorded.payload)
        } catch {
            throw .decodingFailed(type: recorded.type, reason: "\(error)")
        }
    }
}

/// Decodes recorded events of any of a known set of types.
///
/// ```swift
/// let registry = EventTypeRegistry([ContactCreated.self, ContactRenamed.self])
/// if let event = try registry.decode(recorded) { … }
/// ```
public struct EventTypeRegistry: Sendable {
    private let decoders: [String: @Sendable (RecordedEvent, JSONEventCodec) throws -> any Event]
    /// The codec used to decode.
    public let codec: JSONEventCodec

    /// Creates a registry of `types`.
    public init(_ types: [any Event.Type], codec: JSONEventCodec = JSONEventCodec()) {
        var decoders: [String: @Sendable (RecordedEvent, JSONEventCodec) throws -> any Event] = [:]
        for type in types {
            decoders[type.eventType] = { recorded, codec in try Self.decode(type, recorded, codec) }
        }
        self.decoders = decoders
        self.codec = codec
    }

    private static func decode<E: Event>(_ type: E.Type, _ recorded: RecordedEvent, _ codec: JSONEventCodec) throws -> any Event {
        try codec.decode(type, from: recorded)
    }

    /// Decodes `recorded`, or returns nil when its type is not registered.
    public func decode(_ recorded: RecordedEvent) throws -> (any Event)? {
        guard let decoder = decoders[recorded.type] else { return nil }
        return try decoder(recorded, codec)
    }

    /// Whether `type` is registered.
    public func contains(_ type: String) -> Bool { decoders[type] != nil }
}
