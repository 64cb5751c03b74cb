@testable import AtomoEvents
import Foundation
import Testing

/// The SQLite store's row decoding reuses values between rows and copies payloads into shared
/// chunks; these tests pin down that what readers get is still exactly what was appended.
@Suite("SQLite store row decoding")
struct ReadDecodingTests {
    /// Payloads on both sides of every size the payload arena treats differently, with metadata
    /// that changes from row to row, repeats, and goes from a value to `NULL` and to empty text.
    static func sampleEvents() -> [EventData] {
        let sizes = [0, 1, 14, 15, 16, 100, 1_000, 2_048, 2_049, 20_000]
        var events: [EventData] = []
        for (index, size) in (sizes + sizes.reversed() + Array(repeating: 160, count: 300)).enumerated() {
            let metadata = EventMetadata(
                correlationID: index % 7 == 0 ? nil : "correlation-\(index / 5)",
                causationID: index % 3 == 0 ? "" : nil,
                actor: index % 11 == 0 ? "" : "user-\(index / 50)",
                tenant: index % 2 == 0 ? "acme" : nil,
                custom: index % 13 == 0 ? ["ip": "203.0.113.\(index % 9)"] : [:])
            let payload = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) })
            events.append(EventData(type: index % 4 == 0 ? "Created" : "Changed", payload: payload, metadata: metadata))
        }
        return events
    }

    @Test("every read path returns the appended type, payload and metadata, row after row")
    func roundTrip() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("decoding"))
        defer { store.close() }
        let events = Self.sampleEvents()
        let stream = try StreamName("Decode-1")
        // Several appends, so that metadata and streams change between rows of one page.
        try await store.append(Array(events[..<150]), to: stream, expectedVersion: .noStream)
        try await store.append(Array(events[150...]), to: try StreamName("Decode-2"), expectedVersion: .noStream)

        let all = try await store.readAllPage(after: 0, limit: 10_000, filter: .all).events
        let first = try await store.readStream(stream)
        let second = try await store.readStream(try StreamName("Decode-2"))
        let forwards = first + second
        let backwards = try await store.readStream(stream, from: .end, direction: .backwards, limit: 1_000)
        #expect(all.count == events.count)
        for (read, written) in zip(all, events) {
            #expect(read.matches(written))
            #expect(read.payload == written.payload && read.metadata == written.metadata && read.type == written.type)
        }
        #expect(forwards == all)
        #expect(backwards == Array(all[..<150].reversed()))
    }

    @Test("a payload read from the log is an ordinary Data: indexed from 0, mutable, growable")
    func payloadsAreIndependent() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("payloads"))
        defer { store.close() }
        let written = (0..<50).map { index in
            EventData(type: "Noted", payload: Data(String(repeating: Character(UnicodeScalar(65 + index % 26)!), count: 40 + index).utf8))
        }
        try await store.append(written, to: try StreamName("Note-1"))
        var events = try await store.readAllPage(after: 0, limit: 100, filter: .all).events
        #expect(events.allSatisfy { $0.payload.startIndex == 0 })

        events[10].payload[0] = 0x7A
        events[10].payload.append(contentsOf: Data(repeating: 0x21, count: 5_000))
        events[11].payload.removeAll()
        #expect(events[10].payload.count == written[10].payload.count + 5_000)
        #expect(events[10].payload.first == 0x7A)
        for index in events.indices where index != 10 && index != 11 {
            #expect(events[index].payload == written[index].payload, "event \(index) changed with its neighbours")
        }
        // The stored form is kept: the changed event is no longer the appended one, yet still
        // recognised as its stored copy by its stored payload.
        #expect(events[10].matches(written[10]))
        let reread = try await store.readAllPage(after: 0, limit: 100, filter: .all).events
        #expect(events[10] != reread[10])
        #expect(reread[10].payload == written[10].payload)

        // A payload kept alone outlives the page it was read with.
        let kept = try await store.readAllPage(after: 20, limit: 1, filter: .all).events[0].payload
        #expect(kept == written[20].payload)
    }

    @Test("changing a recorded event keeps its stored form for matching and filtering")
    func storedForm() throws {
        let data = EventData(type: "Old", schemaVersion: 1, payload: Data("{}".utf8))
        var event = RecordedEvent(
            id: data.id, stream: try StreamName("Thing-1"), streamVersion: 0, position: 1, type: "Old",
            schemaVersion: 1, payload: data.payload, metadata: .none, committedAt: Date(timeIntervalSince1970: 0))
        let unchanged = event
        #expect(event.storedType == "Old" && event.storedSchemaVersion == 1 && event.storedPayload == data.payload)
        event.type = "New"
        event.schemaVersion = 2
        event.payload = Data("{\"a\":1}".utf8)
        #expect(event.storedType == "Old" && event.storedSchemaVersion == 1 && event.storedPayload == data.payload)
        #expect(event.matches(data))
        #expect(EventFilter(eventTypes: ["Old"]).matches(event))
        #expect(event != unchanged)
        #expect(Set([event, unchanged]).count == 2)
        // Setting a field to the value it had still equals an untouched copy, as before.
        var same = unchanged
        same.type = "Old"
        #expect(same == unchanged && same.hashValue == unchanged.hashValue)
    }
}
