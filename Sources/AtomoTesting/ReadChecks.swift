import AtomoEvents
import Foundation

/// Stream reads in both directions, global reads with every filter, tenant isolation.
enum ReadChecks {
    static let all: [EventStoreConformance.Check] = [
        EventStoreConformance.check("readStreamForwardsAndBackwards") { suite in
            let store = try await suite.store()
            let contact = try stream("Contact-30")
            try await store.append(events(10), to: contact)
            try await store.append(events(3), to: try stream("Contact-31"))
            let versions = { (events: [RecordedEvent]) in events.map(\.streamVersion) }
            try expectEqual(versions(try await store.readStream(contact)), Array(0...9))
            try expectEqual(versions(try await store.readStream(contact, from: .version(4), limit: 3)), [4, 5, 6])
            try expectEqual(versions(try await store.readStream(contact, from: .end, direction: .backwards)), Array((0...9).reversed()))
            try expectEqual(versions(try await store.readStream(contact, from: .version(5), direction: .backwards, limit: 2)), [5, 4])
            try expectEqual(versions(try await store.readStream(contact, from: .version(50), direction: .backwards, limit: 2)), [9, 8])
            try expectEqual(versions(try await store.readStream(contact, from: .end)), [9])
            try expectEqual(versions(try await store.readStream(contact, from: .start, direction: .backwards)), [0])
            try expectEqual(versions(try await store.readStream(contact, from: .version(10))), [])
            try expectEqual(try await store.readStream(contact, limit: 0).count, 0)
            try expectEqual(try await store.readStream(try stream("Contact-missing")).count, 0)
            try expectEqual(try await store.streamVersion(contact), 9)
            try expectEqual(try await store.streamVersion(try stream("Contact-missing")), nil)
        },
        EventStoreConformance.check("readAllPagesAndFilters") { suite in
            let store = try await suite.store()
            try expectEqual(try await store.headPosition(), 0, "an empty store's head")
            try await store.append([event("ContactCreated", tenant: "a"), event("ContactUpdated", tenant: "b")], to: try stream("Contact-40"))
            try await store.append([event("CompanyCreated", tenant: "a")], to: try stream("Company-40"))
            try await store.append([event("ContactCreated"), event("ContactDeleted", tenant: "a")], to: try stream("Contact-41"))
            try await store.append([event("DealWon", tenant: "b")], to: try stream("Deal-40"))
            try expectEqual(try await store.headPosition(), 6)
            let types = { (events: [RecordedEvent]) in events.map(\.type) }
            try expectEqual(try await store.readAll(after: 0, limit: 100).count, 6)
            try expectEqual(try await store.readAll(after: 4, limit: 100).map(\.position), [5, 6])
            try expectEqual(try await store.readAll(after: 0, limit: 2).map(\.position), [1, 2])
            try expectEqual(try await store.readAll(after: 6, limit: 10).count, 0)
            try expectEqual(
                types(try await store.readAll(filter: EventFilter(eventTypes: ["ContactCreated", "DealWon"]))),
                ["ContactCreated", "ContactCreated", "DealWon"])
            try expectEqual(
                types(try await store.readAll(filter: .category("Contact"))),
                ["ContactCreated", "ContactUpdated", "ContactCreated", "ContactDeleted"])
            try expectEqual(
                types(try await store.readAll(filter: EventFilter(categories: ["Company", "Deal"]))), ["CompanyCreated", "DealWon"])
            try expectEqual(
                types(try await store.readAll(filter: EventFilter(eventTypes: ["ContactCreated"], categories: ["Contact"], tenant: "a"))),
                ["ContactCreated"])
            try expectEqual(try await store.readAll(filter: EventFilter(eventTypes: ["Nope"])).count, 0)
            // A filtered page reports how far it scanned, so a reader resumes without rescanning.
            let page = try await store.readAllPage(after: 0, limit: 1, filter: .category("Company"))
            try expectEqual(page.events.map(\.position), [3])
            try expectEqual(page.scannedThrough, 3)
            let rest = try await store.readAllPage(after: page.scannedThrough, limit: 10, filter: .category("Company"))
            try expectEqual(rest.events.count, 0)
            try expectEqual(rest.scannedThrough, 6, "an exhausted filtered read scanned through the head")
        },
        EventStoreConformance.check("tenantIsolation") { suite in
            let store = try await suite.store()
            let shared = try stream("Contact-50")
            for index in 0..<30 {
                let tenant = ["acme", "globex", nil][index % 3]
                try await store.append([event("Touched", tenant: tenant)], to: index % 2 == 0 ? shared : try stream("Contact-\(51 + index)"))
            }
            for tenant in ["acme", "globex"] {
                let all = try await store.readAll(after: 0, limit: 1000, filter: .tenant(tenant))
                try expectEqual(all.count, 10, "\(tenant)'s events")
                try expect(all.allSatisfy { $0.metadata.tenant == tenant }, "a \(tenant) read returns only \(tenant)'s events")
                let inStream = try await store.readStream(shared, from: .start, direction: .forwards, limit: 1000, tenant: tenant)
                try expect(!inStream.isEmpty && inStream.allSatisfy { $0.metadata.tenant == tenant }, "a \(tenant) stream read")
                let backwards = try await store.readStream(shared, from: .end, direction: .backwards, limit: 1000, tenant: tenant)
                try expectEqual(backwards.map(\.id), inStream.reversed().map(\.id))
            }
            try expectEqual(try await store.readAll(after: 0, limit: 1000, filter: .tenant("initech")).count, 0)
        },
    ]
}
