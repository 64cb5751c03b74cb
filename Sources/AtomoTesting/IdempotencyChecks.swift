import AtomoEvents
import Foundation

/// Appends are idempotent by event id: a retry returns the original result and writes nothing.
enum IdempotencyChecks {
    static let all: [EventStoreConformance.Check] = [
        EventStoreConformance.check("idempotentRetryReturnsOriginalResult") { suite in
            let store = try await suite.store()
            let contact = try stream("Contact-10")
            let batch = events(3)
            let original = try await store.append(batch, to: contact, expectedVersion: .noStream)
            try await store.append(events(1), to: contact, expectedVersion: .any)
            let head = try await store.headPosition()
            // The retry's expected version no longer holds, yet it is recognised as a retry.
            let retry = try await store.append(batch, to: contact, expectedVersion: .noStream)
            try expectEqual(retry, original, "a retry answers with the original result")
            let retryAny = try await store.append(batch, to: contact, expectedVersion: .any)
            try expectEqual(retryAny, original, "a retry with .any answers with the original result")
            try expectEqual(try await store.headPosition(), head, "a retry writes nothing")
            try expectEqual(try await store.readStream(contact).count, 4)
        },
        EventStoreConformance.check("idempotentMultiStreamRetry") { suite in
            let store = try await suite.store()
            let appends = [
                StreamAppend(to: try stream("Order-10"), expectedVersion: .noStream, events: events(2)),
                StreamAppend(to: try stream("Stock-10"), expectedVersion: .noStream, events: events(1)),
            ]
            let original = try await store.append(appends)
            let retry = try await store.append(appends)
            try expectEqual(retry, original)
            try expectEqual(try await store.headPosition(), 3)
        },
        EventStoreConformance.check("sameIDWithDifferentContentIsConflict") { suite in
            let store = try await suite.store()
            let contact = try stream("Contact-11")
            let id = UUID.timeOrdered()
            try await store.append([event("Created", #"{"a":1}"#, id: id)], to: contact)
            let changed = try await expectStoreError("same id, other payload") {
                try await store.append([event("Created", #"{"a":2}"#, id: id)], to: contact)
            }
            guard case .idempotencyConflict(let eventID, _) = changed else {
                throw ConformanceFailure(message: "expected idempotencyConflict, got \(changed)", file: #fileID, line: #line)
            }
            try expectEqual(eventID, id)
            let elsewhere = try await expectStoreError("same id, other stream") {
                try await store.append([event("Created", #"{"a":1}"#, id: id)], to: try stream("Contact-12"))
            }
            guard case .idempotencyConflict = elsewhere else {
                throw ConformanceFailure(message: "expected idempotencyConflict, got \(elsewhere)", file: #fileID, line: #line)
            }
            let partial = try await expectStoreError("a stored id together with a new one") {
                try await store.append([event("Created", #"{"a":1}"#, id: id), event()], to: contact)
            }
            guard case .idempotencyConflict = partial else {
                throw ConformanceFailure(message: "expected idempotencyConflict, got \(partial)", file: #fileID, line: #line)
            }
            try expectEqual(try await store.headPosition(), 1, "nothing was written by the rejected appends")
            try expectEqual(try await store.streamVersion(try stream("Contact-12")), nil)
        },
    ]
}
