// Embeds Atomo's event store in a plain Swift program: no server, one SQLite file.
//
//     swift run --package-path Examples embedded-events [path/to/events.sqlite]
import AtomoEvents
import Foundation

struct ContactCreated: Event {
    static let eventType = "ContactCreated"
    var name: String
    var email: String
}

struct ContactRenamed: Event {
    static let eventType = "ContactRenamed"
    var name: String
}

struct Contact: Aggregate {
    static let category = "Contact"
    static let eventTypes: [any Event.Type] = [ContactCreated.self, ContactRenamed.self]
    let id: String
    var name = ""
    init(id: String) { self.id = id }
    mutating func apply(_ event: any Event) {
        switch event {
        case let created as ContactCreated: name = created.name
        case let renamed as ContactRenamed: name = renamed.name
        default: break
        }
    }
}

func run() async throws {
    let path = CommandLine.arguments.dropFirst().first ?? ".atomo/embedded-events.sqlite"
    try FileManager.default.createDirectory(
        at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
    let store = try await SQLiteEventStore(path: path)
    print("Opened the event store at \(path) (head position \(try await store.headPosition())).")

    // A subscriber that follows the log live, from where it is now.
    let start = try await store.headPosition()
    let follower = Task {
        var seen: [String] = []
        for try await event in store.subscribe(after: start) {
            seen.append("  live  #\(event.position) \(event.stream) v\(event.streamVersion) \(event.type)")
            if seen.count == 4 { break }
        }
        return seen
    }

    // Typed events through an aggregate repository: the loaded version is the expected version.
    let contacts = AggregateRepository<Contact>(store: store)
    let id = UUID().uuidString.lowercased()
    var ada = try await contacts.load(id)
    ada.record(ContactCreated(name: "Ada", email: "ada@example.com"))
    ada.record(ContactRenamed(name: "Ada Lovelace"))
    let saved = try await contacts.save(&ada, metadata: EventMetadata(actor: "embedded-example"))
    print("Saved Contact-\(id): versions \(saved?.firstVersion ?? 0)…\(saved?.lastVersion ?? 0).")

    // A stale writer loses with a typed conflict, and writes nothing.
    var stale = try await contacts.load(id, atVersion: 0)
    stale.record(ContactRenamed(name: "Countess"))
    do {
        try await contacts.save(&stale)
    } catch let error as EventStoreError {
        print("A stale write was refused: \(error)")
    }

    // Raw events, appended atomically to two streams at once; retrying the same ids is a no-op.
    let audit = try StreamName("Audit-\(id)")
    let note = EventData(type: "NoteAdded", payload: Data(#"{"text":"met at the conference"}"#.utf8))
    let pair = [
        StreamAppend(to: try contacts.stream(for: id), expectedVersion: .exact(1), events: [note]),
        StreamAppend(to: audit, expectedVersion: .noStream, events: [EventData(type: "Audited", payload: Data("{}".utf8))]),
    ]
    let first = try await store.append(pair)
    let retry = try await store.append(pair)
    print("Appended to two streams atomically; the retry returned the same positions: \(first == retry).")

    for line in try await follower.value { print(line) }
    let reloaded = try await contacts.load(id)
    print("Contact-\(id) is now \"\(reloaded.state.name)\" at version \(reloaded.version ?? -1).")
    print("The log holds \(try await store.headPosition()) events.")
}

try await run()
