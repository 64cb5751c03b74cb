import AtomoEvents
import AtomoPostgres
import AtomoTesting
import Foundation
import PostgresNIO
import Testing

/// The shared conformance suite, run against the PostgreSQL store — each check in a fresh schema.
@Suite("EventStore conformance on PostgreSQL", TestEnvironment.postgres.trait)
struct PostgresConformanceTests {
    /// One pool for every check's store (the suite has no hook to close a store); each store has its
    /// own LISTEN connection.
    static let client: PostgresClient? = {
        guard let url = PostgresTestDatabase.url,
            var configuration = try? PostgresConnectionURL.clientConfiguration(from: url)
        else { return nil }
        configuration.options.maximumConnections = 40
        let client = PostgresClient(configuration: configuration)
        Task.detached { await client.run() }
        return client
    }()

    static let suite = EventStoreConformance(capabilities: .init(gaplessPositions: false)) { options in
        let client = try #require(Self.client)
        return try await PostgresEventStore(
            client: client,
            listenerConnection: try PostgresConnectionURL.connectionConfiguration(from: try #require(PostgresTestDatabase.url)),
            configuration: .init(
                schema: try PostgresTestDatabase.freshSchema(), upcasters: options.upcasters,
                pollInterval: .milliseconds(300)))
    }

    /// The same store reading every read-all page row by row, as it does pages too large to pack.
    static let rowPagesSuite = EventStoreConformance(capabilities: .init(gaplessPositions: false)) { options in
        let client = try #require(Self.client)
        var configuration = PostgresEventStore.Configuration(
            schema: try PostgresTestDatabase.freshSchema(), upcasters: options.upcasters, pollInterval: .milliseconds(300))
        configuration.packedPageByteLimit = 0
        return try await PostgresEventStore(
            client: client,
            listenerConnection: try PostgresConnectionURL.connectionConfiguration(from: try #require(PostgresTestDatabase.url)),
            configuration: configuration)
    }

    @Test("PostgreSQL store", arguments: EventStoreConformance.checks)
    func postgres(_ check: EventStoreConformance.Check) async throws {
        await #expect(throws: Never.self) { try await Self.suite.run(check) }
    }

    /// Serialized: run beside the suite above, 50 checks at once starve the timing-sensitive
    /// subscription and projection tests on a 2-core machine.
    @Test("PostgreSQL store, read-all pages row by row", .serialized, arguments: EventStoreConformance.checks)
    func postgresRowPages(_ check: EventStoreConformance.Check) async throws {
        await #expect(throws: Never.self) { try await Self.rowPagesSuite.run(check) }
    }
}
