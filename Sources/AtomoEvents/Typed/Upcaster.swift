public import Foundation

/// Lifts the payload of one event type from one schema version to the next, on read.
///
/// Events are immutable once stored; when their shape changes, register an upcaster instead of
/// rewriting history. Stores apply upcasters on every read path, repeatedly, until no upcaster
/// matches, so readers always see the current shape.
///
/// ```swift
/// // v1 had "fullName"; v2 has "name".
/// let rename = Upcaster.json(type: "ContactCreated", from: 1) { object in
///     object["name"] = object.removeValue(forKey: "fullName")
/// }
/// let store = try SQLiteEventStore(path: "events.sqlite", upcasters: [rename])
/// ```
public struct Upcaster: Sendable {
    /// The stored event type this upcaster applies to.
    public let eventType: String
    /// The schema version it upcasts from; the result has version `fromVersion + 1`.
    public let fromVersion: Int
    /// The type name after upcasting (the same unless the type was renamed).
    public let toType: String
    /// Transforms the payload.
    public let transform: @Sendable (Data) throws -> Data

    /// Creates an upcaster from a payload transformation.
    public init(type: String, from version: Int, renamingTo newType: String? = nil,
                transform: @escaping @Sendable (Data) throws -> Data) {
        self.eventType = type
        self.fromVersion = version
        self.toType = newType ?? type
        self.transform = transform
    }

    /// An upcaster that edits the payload as a JSON object.
    public static func json(
        type: String, from version: Int, renamingTo newType: String? = nil,
        _ edit: @escaping @Sendable (inout [String: Any]) throws -> Void
    ) -> Upcaster {
        Upcaster(type: type, from: version, renamingTo: newType) { payload in
            guard var object = try JSONSerialization.jsonObject(with: payload) as? [String: Any] else {
                throw EventStoreError.upcastFailed(type: type, fromVersion: version, reason: "the payload is not a JSON object")
            }
            try edit(&object)
            return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        }
    }

    /// An upcaster that decodes the old shape and encodes the new one.
    public static func decoding<Old: Decodable & SendableMetatype, New: Encodable & SendableMetatype>(
        _ old: Old.Type, to new: New.Type, type: String, from version: Int, renamingTo newType: String? = nil,
        _ convert: @escaping @Sendable (Old) throws -> New
    ) -> Upcaster {
        Upcaster(type: type, from: version, renamingTo: newType) { payload in
            try JSONEncoder().encode(try convert(try JSONDecoder().decode(Old.self, from: payload)))
        }
    }
}

/// The upcasters of a store, keyed by (type, from-version).
public struct UpcasterRegistry: Sendable {
    private struct Key: Hashable {
        var type: String
        var version: Int
    }

    private var upcasters: [Key: Upcaster] = [:]

    /// Creates a registry. A later upcaster for the same (type, version) replaces an earlier one.
    public init(_ upcasters: [Upcaster] = []) {
        for upcaster in upcasters { register(upcaster) }
    }

    /// Adds `upcaster`.
    public mutating func register(_ upcaster: Upcaster) {
        upcasters[Key(type: upcaster.eventType, version: upcaster.fromVersion)] = upcaster
    }

    /// Whether no upcaster is registered.
    public var isEmpty: Bool { upcasters.isEmpty }

    /// Brings `event` to its current shape.
    /// - Throws: ``EventStoreError/upcastFailed(type:fromVersion:reason:)``.
    public func upcast(_ event: inout RecordedEvent) throws(EventStoreError) {
        var steps = 0
        while let upcaster = upcasters[Key(type: event.type, version: event.schemaVersion)] {
            steps += 1
            guard steps <= 1000 else {
                throw .upcastFailed(type: event.type, fromVersion: event.schemaVersion, reason: "upcasters form a cycle")
            }
            do {
                event.payload = try upcaster.transform(event.payload)
            } catch let error as EventStoreError {
                throw error
            } catch {
                throw .upcastFailed(type: event.type, fromVersion: event.schemaVersion, reason: "\(error)")
            }
            event.type = upcaster.toType
            event.schemaVersion += 1
        }
    }

    /// Brings every event of `events` to its current shape.
    public func upcast(_ events: inout [RecordedEvent]) throws(EventStoreError) {
        guard !upcasters.isEmpty else { return }
        for index in events.indices { try upcast(&events[index]) }
    }
}
