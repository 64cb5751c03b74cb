import AtomoEvents
import Foundation
import PostgresNIO

/// Decodes rows selected with ``PostgresEventStoreStatements/eventColumns``.
enum PostgresEventRow {
    /// Decodes a row whose columns are the event columns.
    static func decode(_ row: PostgresRow, names: inout StreamNameDecoder) throws -> RecordedEvent {
        let cells = row.makeRandomAccess()
        guard let event = try event(from: cells, at: 0, names: &names) else {
            throw EventStoreError.corrupted("a stored event has no position")
        }
        return event
    }

    /// Decodes a read-all row: the safe head, the visible top and whether the horizon was ambiguous
    /// (first row only), then the event columns (NULL on the first row).
    static func decodePageRow(_ row: PostgresRow, names: inout StreamNameDecoder) throws
        -> (head: Int64?, top: Int64?, ambiguous: Bool?, event: RecordedEvent?)
    {
        let cells = row.makeRandomAccess()
        let head = try cells[0].decode(Int64?.self)
        let top = try cells[1].decode(Int64?.self)
        let ambiguous = try cells[2].decode(Bool?.self)
        return (head, top, ambiguous, try event(from: cells, at: 3, names: &names))
    }

    /// Decodes the event columns starting at `offset`, cell by cell with concrete types (the
    /// variadic tuple decoder is not specialised and costs several times more per row).
    private static func event(from cells: PostgresRandomAccessRow, at offset: Int, names: inout StreamNameDecoder)
        throws -> RecordedEvent?
    {
        guard let position = try cells[offset].decode(Int64?.self) else { return nil }
        guard let id = try cells[offset + 1].decode(UUID?.self),
            let stream = try cells[offset + 2].decode(String?.self),
            let version = try cells[offset + 3].decode(Int64?.self),
            let type = try cells[offset + 4].decode(String?.self),
            let schemaVersion = try cells[offset + 5].decode(Int32?.self),
            let payload = try cells[offset + 6].decode(Data?.self),
            let committedAt = try cells[offset + 12].decode(Date?.self)
        else {
            throw EventStoreError.corrupted("event at position \(position) has a NULL column")
        }
        var metadata = EventMetadata(
            correlationID: try cells[offset + 7].decode(String?.self),
            causationID: try cells[offset + 8].decode(String?.self),
            actor: try cells[offset + 9].decode(String?.self),
            tenant: try cells[offset + 10].decode(String?.self))
        if let custom = try cells[offset + 11].decode(String?.self) {
            metadata.custom = try CustomMetadataJSON.decode(custom)
        }
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
