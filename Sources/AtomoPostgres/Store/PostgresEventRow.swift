import AtomoEvents
import Foundation
import PostgresNIO

/// Decodes rows selected with ``PostgresEventStoreStatements/eventColumns``.
enum PostgresEventRow {
    /// Decodes a row whose first columns are the event columns.
    static func decode(_ row: PostgresRow, names: inout StreamNameDecoder) throws -> RecordedEvent {
        let (position, id, stream, version, type, schemaVersion, payload, correlation, causation, actor, tenant, custom, committedAt) =
            try row.decode(
                (Int64, UUID, String, Int64, String, Int32, Data, String?, String?, String?, String?, String?, Date).self)
        return try make(
            position: position, id: id, stream: stream, version: version, type: type, schemaVersion: schemaVersion,
            payload: payload, correlation: correlation, causation: causation, actor: actor, tenant: tenant,
            custom: custom, committedAt: committedAt, names: &names)
    }

    /// Decodes a read-all row: the safe head, the visible top and whether the horizon was ambiguous
    /// (first row only), then the event columns (NULL on the first row).
    static func decodePageRow(_ row: PostgresRow, names: inout StreamNameDecoder) throws
        -> (head: Int64?, top: Int64?, ambiguous: Bool?, event: RecordedEvent?)
    {
        let (head, top, ambiguous, position, id, stream, version, type, schemaVersion, payload, correlation, causation, actor, tenant, custom, committedAt) =
            try row.decode(
                (Int64?, Int64?, Bool?, Int64?, UUID?, String?, Int64?, String?, Int32?, Data?, String?, String?,
                 String?, String?, String?, Date?).self)
        guard let position else { return (head, top, ambiguous, nil) }
        guard let id, let stream, let version, let type, let schemaVersion, let payload, let committedAt else {
            throw EventStoreError.corrupted("event at position \(position) has a NULL column")
        }
        let event = try make(
            position: position, id: id, stream: stream, version: version, type: type, schemaVersion: schemaVersion,
            payload: payload, correlation: correlation, causation: causation, actor: actor, tenant: tenant,
            custom: custom, committedAt: committedAt, names: &names)
        return (head, top, ambiguous, event)
    }

    private static func make(
        position: Int64, id: UUID, stream: String, version: Int64, type: String, schemaVersion: Int32, payload: Data,
        correlation: String?, causation: String?, actor: String?, tenant: String?, custom: String?, committedAt: Date,
        names: inout StreamNameDecoder
    ) throws -> RecordedEvent {
        var metadata = EventMetadata(correlationID: correlation, causationID: causation, actor: actor, tenant: tenant)
        if let custom { metadata.custom = try CustomMetadataJSON.decode(custom) }
        return RecordedEvent(
            id: id, stream: try names.name(stream), streamVersion: version, position: position, type: type,
            schemaVersion: Int(schemaVersion), payload: payload, metadata: metadata,
            committedAt: Date(microsecondsSince1970: committedAt.microsecondsSince1970))
    }
}

/// Parses stream names once per read: a page usually holds many events of few streams.
struct StreamNameDecoder {
    private var cache: [String: StreamName] = [:]

    mutating func name(_ raw: String) throws -> StreamName {
        if let name = cache[raw] { return name }
        let name: StreamName
        do {
            name = try StreamName(raw)
        } catch {
            throw EventStoreError.corrupted("stored stream name \"\(raw)\" is invalid")
        }
        if cache.count < 4096 { cache[raw] = name }
        return name
    }
}
