import AtomoEvents
import Foundation
import PostgresNIO
import NIOCore

/// Decodes rows selected with ``PostgresEventStoreStatements/eventColumns``.
enum PostgresEventRow {
    /// Decodes a row whose columns are the event columns.
    static func decode(_ row: PostgresRow, names: inout StreamNameDecoder) throws -> RecordedEvent {
        var cells = row.makeIterator()
        guard let event = try event(from: &cells, names: &names) else {
            throw EventStoreError.corrupted("a stored event has no position")
        }
        return event
    }

    /// Decodes a read-all row: the safe head, the visible top and whether the horizon was ambiguous
    /// (first row only), then the event columns (NULL on the first row).
    static func decodePageRow(_ row: PostgresRow, names: inout StreamNameDecoder) throws
        -> (head: Int64?, top: Int64?, ambiguous: Bool?, event: RecordedEvent?)
    {
        var cells = row.makeIterator()
        let head = try next(&cells, Int64?.self)
        let top = try next(&cells, Int64?.self)
        let ambiguous = try next(&cells, Bool?.self)
        return (head, top, ambiguous, try event(from: &cells, names: &names))
    }

    /// Decodes the row of a packed read-all (``PostgresEventStoreStatements/readAllPacked(types:categories:tenant:packedByteLimit:)``):
    /// the safe head, the visible top, whether the horizon was ambiguous, the page's size in bytes,
    /// and its packed records.
    static func decodePackedPageRow(_ row: PostgresRow) throws
        -> (head: Int64?, top: Int64?, ambiguous: Bool?, bytes: Int64?, records: ByteBuffer?)
    {
        var cells = row.makeIterator()
        return (
            try next(&cells, Int64?.self), try next(&cells, Int64?.self), try next(&cells, Bool?.self),
            try next(&cells, Int64?.self), try next(&cells, ByteBuffer?.self)
        )
    }

    @inline(__always)
    private static func next<T: PostgresDecodable>(_ cells: inout PostgresRow.Iterator, _: T.Type) throws -> T {
        guard let cell = cells.next() else { throw EventStoreError.corrupted("a row has too few columns") }
        return try cell.decode(T.self)
    }

    /// Decodes the event columns from `cells`, cell by cell with concrete types (the variadic tuple
    /// decoder is not specialised and costs several times more per row).
    private static func event(from cells: inout PostgresRow.Iterator, names: inout StreamNameDecoder) throws
        -> RecordedEvent?
    {
        guard let position = try next(&cells, Int64?.self) else { return nil }
        guard let id = try next(&cells, UUID?.self),
            let stream = try next(&cells, String?.self),
            let version = try next(&cells, Int64?.self),
            let type = try next(&cells, String?.self),
            let schemaVersion = try next(&cells, Int32?.self),
            let payload = try next(&cells, Data?.self)
        else {
            throw EventStoreError.corrupted("event at position \(position) has a NULL column")
        }
        var metadata = EventMetadata(
            correlationID: try next(&cells, String?.self), causationID: try next(&cells, String?.self),
            actor: try next(&cells, String?.self), tenant: try next(&cells, String?.self))
        if let custom = try next(&cells, String?.self) { metadata.custom = try CustomMetadataJSON.decode(custom) }
        guard let committedAt = try next(&cells, Date?.self) else {
            throw EventStoreError.corrupted("event at position \(position) has no commit time")
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
