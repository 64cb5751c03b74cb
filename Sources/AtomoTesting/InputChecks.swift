import AtomoEvents
import Foundation

/// Bad input gets a typed error and writes nothing.
enum InputChecks {
    static let all: [EventStoreConformance.Check] = [
        EventStoreConformance.check("invalidStreamNamesAreRejected") { _ in
            let tooLong = "Contact-" + String(repeating: "x", count: StreamName.maximumLength)
            for name in ["", "Contact", "-1", "Contact-", "1Contact-1", "Con tact-1", "Contact-a b", "Contact-a\u{0}b",
                         "Contact-\n", "Ca$h-1", tooLong] {
                do {
                    _ = try StreamName(name)
                    throw ConformanceFailure(message: "\"\(name)\" was accepted as a stream name", file: #fileID, line: #line)
                } catch let error as EventStoreError {
                    guard case .invalidStreamName = error else {
                        throw ConformanceFailure(message: "expected invalidStreamName, got \(error)", file: #fileID, line: #line)
                    }
                }
            }
            let valid = try StreamName("Contact-0b6c1f2e-aaaa-bbbb-cccc-123456789abc")
            try expectEqual(String(valid.category), "Contact")
            try expectEqual(String(valid.id), "0b6c1f2e-aaaa-bbbb-cccc-123456789abc")
        },
        EventStoreConformance.check("malformedAppendsAreRejected") { suite in
            let store = try await suite.store()
            let contact = try stream("Contact-80")
            try expectEqual(try await expectStoreError("no streams") { try await store.append([]) }, .emptyAppend)
            try expectEqual(try await expectStoreError("no events") { try await store.append([], to: contact) }, .emptyAppend)
            try expectEqual(
                try await expectStoreError("a stream twice") {
                    try await store.append([StreamAppend(to: contact, events: events(1)), StreamAppend(to: contact, events: events(1))])
                }, .duplicateStreamInAppend(contact))
            let twice = event()
            guard case .invalidEvent = try await expectStoreError("an id twice", { try await store.append([twice, twice], to: contact) })
            else { throw ConformanceFailure(message: "expected invalidEvent", file: #fileID, line: #line) }
            guard case .invalidEvent = try await expectStoreError("an empty type", { try await store.append([event("")], to: contact) })
            else { throw ConformanceFailure(message: "expected invalidEvent", file: #fileID, line: #line) }
            let versionZero = EventData(type: "T", schemaVersion: 0, payload: Data())
            guard case .invalidEvent = try await expectStoreError("schema version 0", { try await store.append([versionZero], to: contact) })
            else { throw ConformanceFailure(message: "expected invalidEvent", file: #fileID, line: #line) }
            guard case .invalidArgument = try await expectStoreError("a negative expected version", {
                try await store.append(events(1), to: contact, expectedVersion: .exact(-1))
            }) else { throw ConformanceFailure(message: "expected invalidArgument", file: #fileID, line: #line) }
            try expectEqual(try await store.headPosition(), 0, "nothing was written")
        },
        EventStoreConformance.check("eventSizeLimit") { suite in
            let store = try await suite.store()
            let contact = try stream("Contact-81")
            let limit = suite.capabilities.maximumEventSize
            let fits = EventData(type: "Big", payload: Data(repeating: 0x61, count: limit - 3))
            try await store.append([fits], to: contact)
            let tooBig = EventData(type: "Big", payload: Data(repeating: 0x61, count: limit - 2))
            let error = try await expectStoreError("an event one byte over the limit") {
                try await store.append([event(), tooBig], to: contact)
            }
            try expectEqual(error, .eventTooLarge(id: tooBig.id, size: limit + 1, limit: limit))
            try expectEqual(try await store.headPosition(), 1, "the oversized append wrote nothing")
            try expectEqual(try await store.readStream(contact).first?.payload.count, limit - 3)
        },
        EventStoreConformance.check("invalidReadArgumentsAreRejected") { suite in
            let store = try await suite.store()
            let contact = try stream("Contact-82")
            let reads: [(String, @Sendable () async throws -> Void)] = [
                ("a negative limit", { @Sendable in _ = try await store.readAll(after: 0, limit: -1) }),
                ("a negative position", { @Sendable in _ = try await store.readAll(after: -5, limit: 10) }),
                ("a negative version", { @Sendable in _ = try await store.readStream(contact, from: .version(-1)) }),
                ("a negative stream limit", { @Sendable in _ = try await store.readStream(contact, limit: -1) }),
                ("an invalid category", { @Sendable in
                    _ = try await store.readAll(filter: .category("x'; DROP TABLE atomo_events; --"))
                }),
            ]
            for (description, read) in reads {
                guard case .invalidArgument = try await expectStoreError(description, read) else {
                    throw ConformanceFailure(message: "\(description): expected invalidArgument", file: #fileID, line: #line)
                }
            }
            // Hostile strings in filters are values, never SQL.
            try await store.append([event("T", tenant: "a")], to: contact)
            let hostile = "' OR 1=1 --"
            try expectEqual(try await store.readAll(filter: EventFilter(eventTypes: [hostile], tenant: hostile)).count, 0)
            try expectEqual(try await store.readAll().count, 1)
        },
    ]
}
