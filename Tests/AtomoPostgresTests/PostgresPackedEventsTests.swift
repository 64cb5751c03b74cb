import AtomoEvents
import Foundation
import NIOCore
import Testing

@testable import AtomoPostgres

/// The parser of packed read-all pages, on buffers written here the way the server writes them
/// (no server needed), including malformed ones.
struct PostgresPackedEventsTests {
    /// One record's fields, as the server would send them; nil is NULL.
    struct Record {
        var position: Int64 = 1
        var id = UUID()
        var version: Int64 = 0
        var schemaVersion: Int32 = 1
        /// Microseconds since 2000-01-01.
        var committedAt: Int64 = 786_240_000_000_000  // 2024-11-30
        var stream: [UInt8]? = Array("Contact-1".utf8)
        var type: [UInt8]? = Array("Created".utf8)
        var payload: [UInt8]? = Array(#"{"a":1}"#.utf8)
        var correlation: [UInt8]? = nil
        var causation: [UInt8]? = nil
        var actor: [UInt8]? = nil
        var tenant: [UInt8]? = nil
        var custom: [UInt8]? = nil

        /// A length field may be overridden to lie about its value's size.
        var lengthOverrides: [Int: Int32] = [:]

        func write(into buffer: inout ByteBuffer) {
            buffer.writeInteger(position)
            _ = withUnsafeBytes(of: id.uuid) { buffer.writeBytes($0) }
            buffer.writeInteger(version)
            buffer.writeInteger(schemaVersion)
            buffer.writeInteger(committedAt)
            let values = [stream, type, payload, correlation, causation, actor, tenant, custom]
            for (index, value) in values.enumerated() {
                buffer.writeInteger(lengthOverrides[index] ?? value.map { Int32($0.count) } ?? -1)
            }
            for value in values { if let value { buffer.writeBytes(value) } }
        }
    }

    func pack(_ records: [Record]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for record in records { record.write(into: &buffer) }
        return buffer
    }

    func decode(_ buffer: ByteBuffer) throws -> [RecordedEvent] {
        var names = StreamNameDecoder()
        var events: [RecordedEvent] = []
        try PostgresPackedEvents.decode(buffer, names: &names, into: &events)
        return events
    }

    func expectCorrupted(
        _ buffer: ByteBuffer, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let error = #expect(throws: EventStoreError.self, comment, sourceLocation: sourceLocation) {
            try decode(buffer)
        }
        guard let error else { return }
        guard case .corrupted = error else {
            Issue.record("expected EventStoreError.corrupted, got \(error)", sourceLocation: sourceLocation)
            return
        }
    }

    @Test func emptyBufferIsAnEmptyPage() throws {
        #expect(try decode(ByteBuffer()).isEmpty)
    }

    @Test func decodesEveryField() throws {
        let id = UUID()
        let record = Record(
            position: 42, id: id, version: 7, schemaVersion: 3, committedAt: 786_240_000_123_456,
            stream: Array("Order-1001".utf8), type: Array("OrderPlaced".utf8), payload: Array(#"{"total":12}"#.utf8),
            correlation: Array("corr".utf8), causation: Array("cause".utf8), actor: Array("ada".utf8),
            tenant: Array("acme".utf8), custom: Array(#"{"source":"import"}"#.utf8))
        let events = try decode(pack([record]))
        #expect(events.count == 1)
        let event = try #require(events.first)
        #expect(event.position == 42 && event.id == id && event.streamVersion == 7 && event.schemaVersion == 3)
        #expect(event.stream == (try StreamName("Order-1001")))
        #expect(event.type == "OrderPlaced")
        #expect(event.payload == Data(#"{"total":12}"#.utf8))
        #expect(event.metadata.correlationID == "corr" && event.metadata.causationID == "cause")
        #expect(event.metadata.actor == "ada" && event.metadata.tenant == "acme")
        #expect(event.metadata.custom == ["source": "import"])
        // 2024-11-30T00:00:00.123456Z: PostgreSQL counts from 2000-01-01, 946,684,800 s after 1970.
        #expect(event.committedAt.microsecondsSince1970 == 1_732_924_800_123_456)
    }

    @Test func emptyPayloadAndNullMetadata() throws {
        let events = try decode(pack([Record(payload: []), Record(position: 2, payload: [])]))
        #expect(events.map(\.position) == [1, 2])
        #expect(events.allSatisfy { $0.payload.isEmpty })
        #expect(events.allSatisfy { $0.metadata == EventMetadata() })
    }

    @Test func emptyMetadataStringsAreNotNull() throws {
        let events = try decode(pack([Record(correlation: [], actor: [], tenant: [])]))
        #expect(events[0].metadata.correlationID == "" && events[0].metadata.causationID == nil)
        #expect(events[0].metadata.actor == "" && events[0].metadata.tenant == "")
    }

    @Test func nonASCIIText() throws {
        let record = Record(
            stream: Array("Kunde-Müller·東京".utf8), type: Array("Größe geändert 🎉".utf8),
            payload: Array("{\"name\":\"Zoë\"}".utf8), actor: Array("José".utf8), tenant: Array("ünï".utf8),
            custom: Array(#"{"clé":"värde 🚀"}"#.utf8))
        let event = try #require(try decode(pack([record])).first)
        #expect(event.stream.rawValue == "Kunde-Müller·東京")
        #expect(event.type == "Größe geändert 🎉")
        #expect(event.metadata.actor == "José" && event.metadata.tenant == "ünï")
        #expect(event.metadata.custom == ["clé": "värde 🚀"])
    }

    @Test func invalidUTF8IsRepairedNotTrusted() throws {
        let event = try #require(try decode(pack([Record(type: [0x41, 0xFF, 0x42])])).first)
        #expect(event.type == "A\u{FFFD}B")
    }

    @Test func maximumSizes() throws {
        let payload = [UInt8](repeating: 0x7A, count: 1 << 20)
        let type = [UInt8](repeating: 0x54, count: AppendValidation.maximumTypeLength)
        let stream = Array("S-".utf8) + [UInt8](repeating: 0x69, count: StreamName.maximumLength - 2)
        let records = [
            Record(position: Int64.max - 1, version: Int64.max, schemaVersion: Int32.max, stream: stream, type: type, payload: payload),
            Record(position: Int64.max, stream: stream, type: type, payload: payload),
        ]
        let events = try decode(pack(records))
        #expect(events.map(\.position) == [Int64.max - 1, Int64.max])
        #expect(events[0].payload.count == 1 << 20 && events[0].type.utf8.count == AppendValidation.maximumTypeLength)
        #expect(events[0].stream.rawValue.utf8.count == StreamName.maximumLength)
        #expect(events[0].streamVersion == Int64.max && events[0].schemaVersion == Int(Int32.max))
    }

    @Test func manyRecordsShareStreamNames() throws {
        let records = (1...1000).map { Record(position: Int64($0), version: Int64($0 % 10), stream: Array("Contact-\($0 % 7)".utf8)) }
        let events = try decode(pack(records))
        #expect(events.map(\.position) == Array(1...1000))
        #expect(Set(events.map(\.stream)).count == 7)
    }

    @Test func everyTruncationThrows() throws {
        let records = [Record(payload: Array("x".utf8), tenant: Array("t".utf8)), Record(position: 2, custom: Array("{}".utf8))]
        let whole = pack(records)
        let firstLength = pack([records[0]]).readableBytes
        for length in 1..<whole.readableBytes where length != firstLength {
            expectCorrupted(whole.getSlice(at: 0, length: length)!, "cut at \(length) of \(whole.readableBytes)")
        }
        #expect(try decode(whole.getSlice(at: 0, length: firstLength)!).count == 1)
    }

    @Test(arguments: [0, 1, 2])
    func nullWhereTheLogHasNoneThrows(field: Int) {
        expectCorrupted(pack([Record(lengthOverrides: [field: -1])]))
    }

    @Test(arguments: [Int32(-2), Int32.min, Int32.max, Int32(8)])
    func lengthsThatLieThrow(length: Int32) {
        // The payload is 7 bytes and nothing follows it but the empty metadata; 8 runs past the end.
        expectCorrupted(pack([Record(lengthOverrides: [2: length])]))
    }

    @Test func trailingGarbageThrows() {
        var buffer = pack([Record()])
        buffer.writeBytes([0, 0, 0])
        expectCorrupted(buffer)
    }

    @Test(arguments: [Int64.max, Int64.min, Int64.max - 1, Int64(1) << 62, -(Int64(1) << 62) - 946_684_800_000_001] as [Int64])
    func commitTimesOutOfRangeThrow(microseconds: Int64) {
        expectCorrupted(pack([Record(committedAt: microseconds)]))
    }

    @Test func invalidStreamNameThrows() {
        expectCorrupted(pack([Record(stream: Array("no category".utf8))]))
        expectCorrupted(pack([Record(stream: [])]))
    }

    @Test func customMetadataThatIsNotAnObjectThrows() {
        expectCorrupted(pack([Record(custom: Array("[1,2]".utf8))]))
        expectCorrupted(pack([Record(custom: [])]))
    }
}
