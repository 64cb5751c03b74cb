import AtomoEvents
import AtomoPostgres
import AtomoSQL
import AtomoTesting
import Foundation
import PostgresNIO
import Testing

@Suite(TestEnvironment.postgres.trait)
struct PostgresEventStoreTests {
    @Test func appendsReadsAndRetries() async throws {
        let store = try await PostgresTestDatabase.store()
        defer { Task { await store.close(); await PostgresTestDatabase.drop(store.configuration.schema) } }
        let stream = try StreamName("Contact-1")
        let first = [event("Created", #"{"name":"Ada"}"#, tenant: "acme"), event("Renamed")]
        let result = try await store.append(first, to: stream, expectedVersion: .noStream)
        #expect(result.firstVersion == 0 && result.lastVersion == 1)
        #expect(result.firstPosition == 1 && result.lastPosition == 2)
        // A retry answers with the original result and writes nothing.
        #expect(try await store.append(first, to: stream, expectedVersion: .noStream) == result)
        // A conflict names the stream and both versions.
        await #expect(throws: EventStoreError.wrongExpectedVersion(stream: stream, expected: .exact(0), actual: 1)) {
            try await store.append([event()], to: stream, expectedVersion: .exact(0))
        }
        await #expect(throws: EventStoreError.self) {
            try await store.append([EventData(id: first[0].id, type: "Other", payload: Data())], to: stream)
        }
        let read = try await store.readStream(stream)
        #expect(read.map(\.streamVersion) == [0, 1])
        #expect(read[0].metadata.tenant == "acme")
        #expect(read[0].payload == Data(#"{"name":"Ada"}"#.utf8))
        #expect(try await store.readStream(stream, from: .end, direction: .backwards, limit: 1).map(\.streamVersion) == [1])
        #expect(try await store.readStream(stream, from: .start, direction: .forwards, limit: 10, tenant: "acme").count == 1)
        let page = try await store.readAllPage(after: 0, limit: 10, filter: .tenant("acme"))
        #expect(page.events.map(\.position) == [1])
        #expect(page.scannedThrough == 2)
        #expect(try await store.headPosition() == 2)
        #expect(try await store.streamVersion(stream) == 1)
        #expect(try await store.streamVersion(try StreamName("Contact-2")) == nil)
        let other = try StreamName("Deal-1")
        let both = try await store.append([
            StreamAppend(to: other, expectedVersion: .noStream, events: [event("Opened")]),
            StreamAppend(to: stream, expectedVersion: .exact(1), events: [event("Linked", tenant: "acme")]),
        ])
        #expect(both.map(\.firstPosition) == [3, 4])
        #expect(try await store.readAll(after: 0, filter: .category("Deal")).map(\.position) == [3])
        #expect(try await store.readAll(after: 0, filter: EventFilter(eventTypes: ["Linked", "Created"])).map(\.position) == [1, 4])
    }

    @Test func concurrentStartsMigrateOnce() async throws {
        let schema = try PostgresTestDatabase.freshSchema()
        let url = try #require(PostgresTestDatabase.url)
        let stores = try await withThrowingTaskGroup(of: PostgresEventStore.self) { group in
            for _ in 0..<4 {
                group.addTask { try await PostgresEventStore(url: url, configuration: .init(schema: schema)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 4)
        try await stores[0].append([event()], to: try StreamName("Boot-1"), expectedVersion: .noStream)
        #expect(try await stores[3].streamVersion(try StreamName("Boot-1")) == 0)
        #expect(try await migratedVersion(of: schema) == 2)
        for store in stores { await store.close() }
        await PostgresTestDatabase.drop(schema)
    }

    /// A schema made by version 1 (before `atomo_read_page`) upgrades in place when a newer store
    /// opens it: its events stay, and pages read through the new function.
    @Test func versionOneSchemaUpgrades() async throws {
        let first = try await PostgresTestDatabase.store()
        let schema = first.configuration.schema
        defer { Task { await PostgresTestDatabase.drop(schema) } }
        let stream = try StreamName("Legacy-1")
        try await first.append([event("Created", tenant: "acme"), event("Renamed")], to: stream, expectedVersion: .noStream)
        await first.close()
        // Take the schema back to what version 1 created.
        try await PostgresTestDatabase.withClient { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP FUNCTION \(schema.quoted).atomo_read_page"))
            try await client.query(
                PostgresQuery(unsafeSQL: "UPDATE \(schema.quoted).atomo_migrations SET version = 1 WHERE module = 'events'"))
        }

        let upgraded = try await PostgresTestDatabase.store { $0.schema = schema }
        defer { Task { await upgraded.close() } }
        #expect(try await upgraded.readAll(after: 0, filter: .all).map(\.type) == ["Created", "Renamed"])
        #expect(try await upgraded.readAll(after: 0, filter: .tenant("acme")).map(\.position) == [1])
        #expect(try await migratedVersion(of: schema) == 2)
    }

    /// Read-all pages come packed into one value, or row by row when too large to pack; both give
    /// the same pages, for every filter and limit, with empty payloads, NULL and empty metadata,
    /// custom metadata and non-ASCII text — and the same events as `readStream` (the row decoder).
    @Test func packedAndRowPagesAgree() async throws {
        let packed = try await PostgresTestDatabase.store()
        let schema = packed.configuration.schema
        defer { Task { await packed.close(); await PostgresTestDatabase.drop(schema) } }
        let rows = try await PostgresTestDatabase.store { $0.schema = schema; $0.packedPageByteLimit = 0 }
        defer { Task { await rows.close() } }
        // Some pages fit this limit and some do not.
        let mixed = try await PostgresTestDatabase.store { $0.schema = schema; $0.packedPageByteLimit = 400 }
        defer { Task { await mixed.close() } }

        let ada = try StreamName("Kunde-Zoë·東京")
        let deal = try StreamName("Deal-1")
        try await packed.append(
            [
                EventData(type: "Größe geändert 🎉", payload: Data()),
                EventData(
                    type: "Created", payload: Data(#"{"name":"Zoë"}"#.utf8),
                    metadata: EventMetadata(
                        correlationID: "c-1", causationID: "", actor: "José", tenant: "acme",
                        custom: ["clé": "värde 🚀", "empty": ""])),
                EventData(type: "Big", payload: Data(repeating: 0x61, count: 600), metadata: EventMetadata(tenant: "acme")),
            ], to: ada, expectedVersion: .noStream)
        try await packed.append(
            [event("Opened"), event("Linked", tenant: "acme"), event("Big", String(repeating: "b", count: 500))],
            to: deal, expectedVersion: .noStream)

        let all = try await packed.readAll(after: 0, filter: .all)
        #expect(all.map(\.position) == [1, 2, 3, 4, 5, 6])
        let byStream = try await packed.readStream(ada) + (try await packed.readStream(deal))
        #expect(all == byStream)
        #expect(all[0].payload.isEmpty && all[0].metadata == EventMetadata())
        #expect(all[1].metadata.causationID == "" && all[1].metadata.custom == ["clé": "värde 🚀", "empty": ""])

        let filters: [EventFilter] = [
            .all, .category("Deal"), .category("Kunde"), EventFilter(eventTypes: ["Big", "Created"]), .tenant("acme"),
            EventFilter(eventTypes: ["Nothing"]),
        ]
        for filter in filters {
            for limit in [1, 2, 4, 100] {
                var after: Int64 = 0
                while true {
                    let expected = try await rows.readAllPage(after: after, limit: limit, filter: filter)
                    #expect(try await packed.readAllPage(after: after, limit: limit, filter: filter) == expected)
                    #expect(try await mixed.readAllPage(after: after, limit: limit, filter: filter) == expected)
                    #expect(expected.events.count <= limit)
                    after = expected.scannedThrough
                    if expected.events.isEmpty { break }
                }
                #expect(after == 6)
            }
        }
    }
}

/// The version `atomo_migrations` records for the event store in `schema`.
private func migratedVersion(of schema: SQLIdentifier) async throws -> Int32 {
    try await PostgresTestDatabase.withClient { client in
        var version: Int32 = 0
        for try await value in try await client.query(
            PostgresQuery(unsafeSQL: "SELECT version FROM \(schema.quoted).atomo_migrations WHERE module = 'events'")
        ).decode(Int32.self) { version = value }
        return version
    }
}
