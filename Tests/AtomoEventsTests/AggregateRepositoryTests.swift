import AtomoEvents
import Foundation
import Testing

struct ContactCreated: Event {
    static let eventType = "ContactCreated"
    var name: String
    var email: String?
    var at: Date
}

struct ContactRenamed: Event {
    static let eventType = "ContactRenamed"
    static let schemaVersion = 2
    var name: String
}

struct Contact: Aggregate {
    static let category = "Contact"
    static let eventTypes: [any Event.Type] = [ContactCreated.self, ContactRenamed.self]
    let id: String
    var name = ""
    var email: String?
    var renames = 0

    init(id: String) { self.id = id }

    mutating func apply(_ event: any Event) {
        switch event {
        case let created as ContactCreated:
            name = created.name
            email = created.email
        case let renamed as ContactRenamed:
            name = renamed.name
            renames += 1
        default:
            break
        }
    }
}

@Suite("Typed events and aggregates")
struct AggregateRepositoryTests {
    @Test("the JSON codec round-trips a typed event and checks its type and version")
    func codecRoundTrip() async throws {
        let store = InMemoryEventStore()
        let codec = JSONEventCodec()
        let at = Date(timeIntervalSince1970: 1_800_000_000.125)
        let data = try codec.encode(ContactCreated(name: "Ada", email: "ada@example.com", at: at), metadata: EventMetadata(actor: "u1"))
        #expect(data.type == "ContactCreated")
        #expect(data.schemaVersion == 1)
        #expect(String(decoding: data.payload, as: UTF8.self).contains("\"at\":\"2027-01-15T08:00:00.125Z\""))
        try await store.append([data], to: try StreamName("Contact-1"))
        let recorded = try await store.readStream(try StreamName("Contact-1"))[0]
        let decoded = try codec.decode(ContactCreated.self, from: recorded)
        #expect(decoded.name == "Ada")
        #expect(decoded.at == at)
        #expect(throws: EventStoreError.self) { try codec.decode(ContactRenamed.self, from: recorded) }
    }

    @Test("a repository loads by replay and saves with the loaded version as expected version")
    func loadAndSave() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("aggregates"))
        let contacts = AggregateRepository<Contact>(store: store)
        var contact = try await contacts.load("42")
        #expect(contact.version == nil)
        contact.record(ContactCreated(name: "Ada", email: nil, at: Date()))
        contact.record(ContactRenamed(name: "Ada L."))
        let saved = try await contacts.save(&contact, metadata: EventMetadata(actor: "user-7"))
        #expect(saved?.lastVersion == 1)
        #expect(contact.version == 1)
        #expect(contact.pendingEvents.isEmpty)

        var first = try await contacts.load("42")
        var second = try await contacts.load("42")
        #expect(first.state.name == "Ada L.")
        first.record(ContactRenamed(name: "Ada Lovelace"))
        second.record(ContactRenamed(name: "Countess"))
        try await contacts.save(&first)
        await #expect(throws: EventStoreError.wrongExpectedVersion(stream: try StreamName("Contact-42"), expected: .exact(1), actual: 2)) {
            try await contacts.save(&second)
        }
        let reloaded = try await contacts.load("42")
        #expect(reloaded.state.name == "Ada Lovelace")
        #expect(reloaded.state.renames == 2)
        #expect(reloaded.version == 2)
    }

    @Test("load as of a version and as of a time")
    func timeTravel() async throws {
        let store = InMemoryEventStore()
        let contacts = AggregateRepository<Contact>(store: store)
        var contact = try await contacts.load("7")
        contact.record(ContactCreated(name: "v0", email: nil, at: Date()))
        try await contacts.save(&contact)
        try await Task.sleep(for: .milliseconds(20))
        let between = Date()
        try await Task.sleep(for: .milliseconds(20))
        for name in ["v1", "v2", "v3"] {
            contact.record(ContactRenamed(name: name))
            try await contacts.save(&contact)
        }
        let atVersion = try await contacts.load("7", atVersion: 2)
        #expect(atVersion.state.name == "v2")
        #expect(atVersion.version == 2)
        let asOf = try await contacts.load("7", asOf: between)
        #expect(asOf.state.name == "v0")
        #expect(asOf.version == 0)
    }

    @Test("replay spans several pages")
    func longStreams() async throws {
        let store = InMemoryEventStore()
        var contacts = AggregateRepository<Contact>(store: store)
        contacts.pageSize = 7
        var contact = try await contacts.load("long")
        contact.record(ContactCreated(name: "start", email: nil, at: Date()))
        for index in 0..<50 { contact.record(ContactRenamed(name: "n\(index)")) }
        try await contacts.save(&contact)
        let reloaded = try await contacts.load("long")
        #expect(reloaded.state.renames == 50)
        #expect(reloaded.state.name == "n49")
        #expect(reloaded.version == 50)
    }

    @Test("upcasters bring old typed events to the shape the aggregate decodes")
    func upcastingTypedEvents() async throws {
        // Version 1 of ContactRenamed was {"fullName": …}; the current version 2 is {"name": …}.
        let upcaster = Upcaster.json(type: "ContactRenamed", from: 1) { object in
            object["name"] = object.removeValue(forKey: "fullName")
        }
        let store = try await SQLiteEventStore(inMemoryWith: .init(upcasters: [upcaster]))
        try await store.append(
            [EventData(type: "ContactRenamed", schemaVersion: 1, payload: Data(#"{"fullName":"Old Shape"}"#.utf8))],
            to: try StreamName("Contact-9"))
        let contact = try await AggregateRepository<Contact>(store: store).load("9")
        #expect(contact.state.name == "Old Shape")
    }
}
