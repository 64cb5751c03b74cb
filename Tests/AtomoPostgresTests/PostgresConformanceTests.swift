import AtomoEvents
import AtomoPostgres
import AtomoTesting
import Foundation
import PostgresNIO
import Testing

/// The shared conformance suite, run against the PostgreSQL store — each check in a fresh schema.
@Suite("EventStore conformance on PostgreSQL", .enabled(if: PostgresTestDatabase.isAvailable, PostgresTestDatabase.skipMessage))
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

    @Test("PostgreSQL store", arguments: EventStoreConformance.checks)
    func postgres(_ check: EventStoreConformance.Check) async throws {
        await #expect(throws: Never.self) { try await Self.suite.run(check) }
    }
}
