public import AtomoEvents
public import Foundation

/// Realistic events for the event store benchmarks, shared by `atomo-bench` and the
/// package-benchmark suite so that both measure the same rows.
///
/// One stream per contact, `Contact-<uuid>`; its first event is `ContactCreated`, the others
/// `ContactUpdated`; payloads are JSON objects of about 160 bytes; metadata carries a correlation id
/// (one per append, as one request causes one append) and an actor.
///
/// Stream ids are time-ordered UUIDs (v7), as Atomo assigns to new records, and event ids are
/// ``EventData``'s default time-ordered UUIDs: both keep the store's unique indexes append-mostly.
///
/// ```swift
/// let append = ContactEvents.append(contact: 7, events: 100)
/// try await store.append([append])
/// ```
public enum ContactEvents {
    /// A new contact stream name.
    public static func newStream() -> StreamName {
        // A UUID string is a valid stream id, so this cannot fail.
        try! StreamName(category: "Contact", id: UUID.timeOrdered().uuidString.lowercased())
    }

    /// One append of `events` events to a new contact stream: `ContactCreated`, then updates.
    public static func append(contact: Int, events: Int, stream: StreamName = newStream()) -> StreamAppend {
        let metadata = EventMetadata(
            correlationID: UUID.timeOrdered().uuidString.lowercased(), actor: "user-\(contact % 1000)")
        var batch: [EventData] = []
        batch.reserveCapacity(events)
        for index in 0..<events {
            batch.append(
                EventData(
                    type: index == 0 ? "ContactCreated" : "ContactUpdated",
                    payload: payload(contact: contact, revision: index), metadata: metadata))
        }
        return StreamAppend(to: stream, expectedVersion: .noStream, events: batch)
    }

    /// A JSON payload of about 160 bytes.
    public static func payload(contact: Int, revision: Int) -> Data {
        let number = String(contact)
        let json = """
            {"name":"Contact \(number)","email":"contact\(number)@example.com","phone":"+1-555-01\(contact % 100)",\
            "company":"Acme Corporation","tags":["lead","newsletter"],"score":\(revision % 100),"revision":\(revision)}
            """
        return Data(json.utf8)
    }
}
