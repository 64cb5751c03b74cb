import AtomoEvents
import Foundation

/// The global order: strictly increasing positions (without gaps where the store promises it).
enum OrderingChecks {
    static let all: [EventStoreConformance.Check] = [
        EventStoreConformance.check("globalPositionsStrictlyIncrease") { suite in
            let store = try await suite.store()
            var expectedCount = 0
            for index in 0..<20 {
                let contact = try stream("Contact-\(index % 4)")
                try await store.append(events(index % 3 + 1), to: contact)
                expectedCount += index % 3 + 1
                // Failed appends in between must not consume positions where positions are gapless.
                _ = try? await store.append(events(2), to: contact, expectedVersion: .noStream)
            }
            let all = try await store.readAll(after: 0, limit: 1000)
            try expectEqual(all.count, expectedCount)
            for (previous, next) in zip(all, all.dropFirst()) {
                try expect(next.position > previous.position, "position \(next.position) follows \(previous.position)")
            }
            if suite.capabilities.gaplessPositions {
                try expectEqual(all.map(\.position), Array(1...Int64(expectedCount)), "positions without gaps")
            }
            try expectEqual(try await store.headPosition(), all.last?.position ?? 0)
            // Stream versions count from 0 without gaps in every stream.
            for index in 0..<4 {
                let versions = try await store.readStream(try stream("Contact-\(index)")).map(\.streamVersion)
                try expectEqual(versions, Array(0..<Int64(versions.count)))
            }
        },
        EventStoreConformance.check("recordedEventsKeepEverythingAppended") { suite in
            let store = try await suite.store()
            let contact = try stream("Contact-20")
            let metadata = EventMetadata(
                correlationID: "corr-1", causationID: "cause-1", actor: "user-7", tenant: "acme",
                custom: ["ip": "203.0.113.9", "quote\"d": "line\nbreak ✓"])
            let binary = Data((0...255).map { UInt8($0) })
            let appended = [
                EventData(type: "BlobStored", schemaVersion: 3, payload: binary, metadata: metadata),
                EventData(type: "Nothing", payload: Data()),
            ]
            let before = Date()
            let result = try await store.append(appended, to: contact, expectedVersion: .noStream)
            let read = try await store.readStream(contact)
            try expectEqual(read.count, 2)
            for (event, data) in zip(read, appended) {
                try expectEqual(event.id, data.id)
                try expectEqual(event.type, data.type)
                try expectEqual(event.schemaVersion, data.schemaVersion)
                try expectEqual(event.payload, data.payload)
                try expectEqual(event.metadata, data.metadata)
                try expectEqual(event.stream, contact)
                try expect(event.matches(data), "the recorded event matches what was appended")
                try expect(abs(event.committedAt.timeIntervalSince(before)) < 60, "commit time is now")
            }
            try expectEqual(read.map(\.position), [result.firstPosition, result.lastPosition])
            try expectEqual(read[0].committedAt, read[1].committedAt, "one append, one commit time")
            let fromAll = try await store.readAll(after: 0, limit: 10)
            try expectEqual(fromAll, read, "readAll and readStream return the same events")
        },
    ]
}
