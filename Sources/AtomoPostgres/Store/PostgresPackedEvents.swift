import AtomoEvents
import Foundation
import NIOCore

/// A page of events packed by the server into one `bytea`, and its parser.
///
/// Read-all pages ask the server for one value instead of one row per event: decoding 10,000
/// `DataRow` messages of 13 cells each cost the client several times what the server spends on the
/// page, while this buffer is parsed in one pass with a bounds check per field
/// (`docs/guide/postgres.md`, "Reading the global order").
///
/// Each event is one record, concatenated in position order (all integers big-endian, as the
/// `*send` functions write them):
///
/// | bytes | field |
/// |---|---|
/// | 8 | position (`int8send`) |
/// | 16 | event id (`uuid_send`) |
/// | 8 | stream version |
/// | 4 | schema version (`int4send`) |
/// | 8 | commit time, microseconds since 2000-01-01 UTC (`timestamptz_send`) |
/// | 8 × 4 | byte lengths of stream name, type, payload, correlation id, causation id, actor, tenant, custom metadata; -1 for NULL |
/// | … | those eight values' bytes, in that order (NULL ones take none) |
enum PostgresPackedEvents {
    /// The bytes before a record's variable-length values.
    static let fixedByteCount = 8 + 16 + 8 + 4 + 8 + 8 * 4

    /// The SQL expression that writes one record of the event row `e` (see the table above).
    static let recordSQL = """
        int8send(e.position) || uuid_send(e.event_id) || int8send(e.stream_version) || int4send(e.schema_version)
            || timestamptz_send(e.committed_at)
            || int4send(octet_length(e.stream_name)) || int4send(octet_length(e.type)) || int4send(octet_length(e.payload))
            || int4send(coalesce(octet_length(e.correlation_id), -1)) || int4send(coalesce(octet_length(e.causation_id), -1))
            || int4send(coalesce(octet_length(e.actor), -1)) || int4send(coalesce(octet_length(e.tenant_id), -1))
            || int4send(coalesce(octet_length(e.custom), -1))
            || textsend(e.stream_name) || textsend(e.type) || e.payload
            || coalesce(textsend(e.correlation_id), '') || coalesce(textsend(e.causation_id), '')
            || coalesce(textsend(e.actor), '') || coalesce(textsend(e.tenant_id), '') || coalesce(textsend(e.custom), '')
        """

    /// The SQL expression for the number of bytes the record of `e` takes, less ``fixedByteCount``.
    static let variableByteCountSQL = """
        octet_length(e.stream_name) + octet_length(e.type) + octet_length(e.payload)
            + coalesce(octet_length(e.correlation_id), 0) + coalesce(octet_length(e.causation_id), 0)
            + coalesce(octet_length(e.actor), 0) + coalesce(octet_length(e.tenant_id), 0)
            + coalesce(octet_length(e.custom), 0)
        """

    /// Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's timestamp epoch.
    private static let postgresEpochMicroseconds: Int64 = 946_684_800_000_000

    /// Parses every record in `buffer` and appends the events to `events`.
    ///
    /// Malformed input — a truncated record, a length that runs past the end, a NULL where the
    /// log has none, a stream name that is not valid, custom metadata that is not a JSON object,
    /// a commit time out of range — throws ``AtomoEvents/EventStoreError/corrupted(_:)``; it never traps.
    static func decode(_ buffer: ByteBuffer, names: inout StreamNameDecoder, into events: inout [RecordedEvent]) throws {
        try buffer.withUnsafeReadableBytes { bytes in
            var reader = Reader(bytes: bytes)
            while !reader.isAtEnd {
                events.append(try record(&reader, names: &names))
            }
        }
    }

    private static func record(_ reader: inout Reader, names: inout StreamNameDecoder) throws -> RecordedEvent {
        guard reader.remaining >= fixedByteCount else {
            throw EventStoreError.corrupted("a packed event record is truncated (\(reader.remaining) bytes left)")
        }
        let position = reader.int64()
        let id = reader.uuid()
        let version = reader.int64()
        let schemaVersion = reader.int32()
        let committedAt = reader.int64()
        let streamLength = reader.int32()
        let typeLength = reader.int32()
        let payloadLength = reader.int32()
        let correlationLength = reader.int32()
        let causationLength = reader.int32()
        let actorLength = reader.int32()
        let tenantLength = reader.int32()
        let customLength = reader.int32()

        guard let stream = try reader.string(streamLength, position: position),
            let type = try reader.string(typeLength, position: position),
            let payload = try reader.data(payloadLength, position: position)
        else {
            throw EventStoreError.corrupted("event at position \(position) has a NULL column")
        }
        var metadata = EventMetadata(
            correlationID: try reader.string(correlationLength, position: position),
            causationID: try reader.string(causationLength, position: position),
            actor: try reader.string(actorLength, position: position),
            tenant: try reader.string(tenantLength, position: position))
        if let custom = try reader.string(customLength, position: position) {
            metadata.custom = try CustomMetadataJSON.decode(custom)
        }
        let (microseconds, overflow) = committedAt.addingReportingOverflow(postgresEpochMicroseconds)
        // Infinite timestamps are Int64.max / Int64.min; `now()` never writes them. Beyond ±2⁶²
        // µs (year ±146,000) a `Date` no longer converts back to microseconds without overflow.
        guard !overflow, abs(microseconds) <= 1 << 62 else {
            throw EventStoreError.corrupted("event at position \(position) has no finite commit time")
        }
        return RecordedEvent(
            id: id, stream: try names.name(stream), streamVersion: version, position: position, type: type,
            schemaVersion: Int(schemaVersion), payload: payload, metadata: metadata,
            committedAt: Date(microsecondsSince1970: microseconds))
    }

    /// Reads big-endian fields from the buffer; callers check `remaining` before fixed-size reads,
    /// and variable-length reads check their own lengths.
    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        var isAtEnd: Bool { offset == bytes.count }
        var remaining: Int { bytes.count - offset }

        mutating func int64() -> Int64 {
            defer { offset += 8 }
            return Int64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self))
        }

        mutating func int32() -> Int32 {
            defer { offset += 4 }
            return Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self))
        }

        mutating func uuid() -> UUID {
            defer { offset += 16 }
            let b = bytes
            let o = offset
            return UUID(
                uuid: (
                    b[o], b[o + 1], b[o + 2], b[o + 3], b[o + 4], b[o + 5], b[o + 6], b[o + 7],
                    b[o + 8], b[o + 9], b[o + 10], b[o + 11], b[o + 12], b[o + 13], b[o + 14], b[o + 15]
                ))
        }

        /// The next `length` bytes; nil for -1 (NULL).
        private mutating func slice(_ length: Int32, position: Int64) throws -> UnsafeRawBufferPointer? {
            if length == -1 { return nil }
            guard length >= 0, Int(length) <= remaining else {
                throw EventStoreError.corrupted(
                    "event at position \(position) has a value of \(length) bytes with \(remaining) bytes left")
            }
            defer { offset += Int(length) }
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Int(length)])
        }

        mutating func string(_ length: Int32, position: Int64) throws -> String? {
            guard let slice = try slice(length, position: position) else { return nil }
            // The server sends its text as UTF-8 (a UTF-8 database's text is valid); like the row
            // decoder, invalid bytes would be repaired rather than trusted.
            return String(decoding: slice, as: UTF8.self)
        }

        mutating func data(_ length: Int32, position: Int64) throws -> Data? {
            guard let slice = try slice(length, position: position) else { return nil }
            return Data(slice)
        }
    }
}
