import AtomoEvents
import AtomoTesting
import Foundation
import Testing

/// The shared conformance suite, run against every store in this package.
@Suite("EventStore conformance")
struct ConformanceTests {
    static let inMemory = EventStoreConformance { options in
        InMemoryEventStore(configuration: .init(upcasters: options.upcasters))
    }

    static let sqliteFile = EventStoreConformance { options in
        try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("conformance"), configuration: .init(upcasters: options.upcasters))
    }

    static let sqliteMemory = EventStoreConformance { options in
        try await SQLiteEventStore(inMemoryWith: .init(upcasters: options.upcasters))
    }

    @Test("in-memory store", arguments: EventStoreConformance.checks)
    func inMemory(_ check: EventStoreConformance.Check) async throws {
        await #expect(throws: Never.self) { try await Self.inMemory.run(check) }
    }

    @Test("SQLite store on a file", arguments: EventStoreConformance.checks)
    func sqliteFile(_ check: EventStoreConformance.Check) async throws {
        await #expect(throws: Never.self) { try await Self.sqliteFile.run(check) }
    }

    @Test("SQLite store in memory", arguments: EventStoreConformance.checks)
    func sqliteMemory(_ check: EventStoreConformance.Check) async throws {
        await #expect(throws: Never.self) { try await Self.sqliteMemory.run(check) }
    }
}
