import AtomoEvents
import Foundation

/// Optimistic concurrency: every `ExpectedVersion` case, succeeding and conflicting, and
/// all-or-nothing multi-stream appends.
enum ExpectedVersionChecks {
    static let all: [EventStoreConformance.Check] = [
        EventStoreConformance.check("expectedVersionNoStream") { suite in
            let store = try await suite.store()
            let contact = try stream("Contact-1")
            let first = try await store.append(events(2), to: contact, expectedVersion: .noStream)
            try expectEqual(first.firstVersion, 0, "first version of a new stream")
            try expectEqual(first.lastVersion, 1, "version after two events")
            let error = try await expectStoreError("noStream on an existing stream") {
                try await store.append(events(1), to: contact, expectedVersion: .noStream)
            }
            try expectEqual(error, .wrongExpectedVersion(stream: contact, expected: .noStream, actual: 1))
        },
        EventStoreConformance.check("expectedVersionStreamExists") { suite in
            let store = try await suite.store()
            let contact = try stream("Contact-2")
            let error = try await expectStoreError("streamExists on a missing stream") {
                try await store.append(events(1), to: contact, expectedVersion: .streamExists)
            }
            try expectEqual(error, .wrongExpectedVersion(stream: contact, expected: .streamExists, actual: nil))
            try await store.append(events(1), to: contact, expectedVersion: .noStream)
            let result = try await store.append(events(1), to: contact, expectedVersion: .streamExists)
            try expectEqual(result.lastVersion, 1)
        },
        EventStoreConformance.check("expectedVersionExact") { suite in
            let store = try await suite.store()
            let contact = try stream("Contact-3")
            let missing = try await expectStoreError("exact(0) on a missing stream") {
                try await store.append(events(1), to: contact, expectedVersion: .exact(0))
            }
            try expectEqual(missing, .wrongExpectedVersion(stream: contact, expected: .exact(0), actual: nil))
            try await store.append(events(3), to: contact, expectedVersion: .noStream)
            let result = try await store.append(events(1), to: contact, expectedVersion: .exact(2))
            try expectEqual(result.firstVersion, 3)
            try expectEqual(result.lastVersion, 3)
            let stale = try await expectStoreError("a stale exact version") {
                try await store.append(events(1), to: contact, expectedVersion: .exact(2))
            }
            try expectEqual(stale, .wrongExpectedVersion(stream: contact, expected: .exact(2), actual: 3))
            let ahead = try await expectStoreError("an exact version ahead of the stream") {
                try await store.append(events(1), to: contact, expectedVersion: .exact(9))
            }
            try expectEqual(ahead, .wrongExpectedVersion(stream: contact, expected: .exact(9), actual: 3))
        },
        EventStoreConformance.check("expectedVersionAny") { suite in
            let store = try await suite.store()
            let contact = try stream("Contact-4")
            try expectEqual(try await store.append(events(1), to: contact, expectedVersion: .any).lastVersion, 0)
            try expectEqual(try await store.append(events(2), to: contact, expectedVersion: .any).lastVersion, 2)
        },
        EventStoreConformance.check("conflictWritesNothing") { suite in
            let store = try await suite.store()
            let contact = try stream("Contact-5")
            try await store.append(events(2), to: contact, expectedVersion: .noStream)
            let head = try await store.headPosition()
            _ = try await expectStoreError("conflict") {
                try await store.append(events(5), to: contact, expectedVersion: .exact(0))
            }
            try expectEqual(try await store.headPosition(), head, "the head after a conflict")
            try expectEqual(try await store.streamVersion(contact), 1, "the stream version after a conflict")
            try expectEqual(try await store.readStream(contact).count, 2, "events in the stream after a conflict")
        },
        EventStoreConformance.check("multiStreamAppendIsAllOrNothing") { suite in
            let store = try await suite.store()
            let order = try stream("Order-1")
            let stock = try stream("Stock-1")
            let audit = try stream("Audit-1")
            try await store.append(events(1), to: stock, expectedVersion: .noStream)
            let error = try await expectStoreError("a multi-stream append whose last stream conflicts") {
                try await store.append([
                    StreamAppend(to: order, expectedVersion: .noStream, events: events(2)),
                    StreamAppend(to: audit, expectedVersion: .any, events: events(1)),
                    StreamAppend(to: stock, expectedVersion: .noStream, events: events(1)),
                ])
            }
            try expectEqual(error, .wrongExpectedVersion(stream: stock, expected: .noStream, actual: 0))
            try expectEqual(try await store.streamVersion(order), nil, "order after the failed append")
            try expectEqual(try await store.streamVersion(audit), nil, "audit after the failed append")
            try expectEqual(try await store.headPosition(), 1, "the head after the failed append") 
            let results = try await store.append([
                StreamAppend(to: order, expectedVersion: .noStream, events: events(2)),
                StreamAppend(to: stock, expectedVersion: .exact(0), events: events(1)),
            ])
            try expectEqual(results.map(\.stream), [order, stock])
            try expectEqual(results[0].lastVersion, 1)
            try expectEqual(results[1].lastVersion, 1)
            try expect(results[1].firstPosition > results[0].lastPosition, "positions follow the order of the append")
            let all = try await store.readAll(after: 0, limit: 100)
            try expectEqual(all.map(\.stream), [stock, order, order, stock])
        },
    ]
}
