import AtomoEvents
import AtomoPostgres
import AtomoProjection
import AtomoTesting
import Foundation
import PostgresNIO
import Testing

/// The projection conformance suite on PostgreSQL: the log in a `PostgresEventStore`, the read
/// models and `SQLCheckpointStore` checkpoints in a `PostgresSQLDatabase` in the same schema — each
/// check in a fresh schema.
@Suite(
    "Projection conformance on PostgreSQL", TestEnvironment.postgres.trait)
struct PostgresProjectionConformanceTests {
    /// One pool for every check's store (the suite has no hook to close a store).
    static let client: PostgresClient? = {
        guard let url = PostgresTestDatabase.url,
            var configuration = try? PostgresConnectionURL.clientConfiguration(from: url)
        else { return nil }
        configuration.options.maximumConnections = 20
        let client = PostgresClient(configuration: configuration)
        Task.detached { await client.run() }
        return client
    }()

    static let suite = ProjectionConformance {
        let client = try #require(Self.client)
        let store = try await PostgresEventStore(
            client: client,
            listenerConnection: try PostgresConnectionURL.connectionConfiguration(from: try #require(PostgresTestDatabase.url)),
            configuration: .init(schema: try PostgresTestDatabase.freshSchema(), pollInterval: .milliseconds(200)))
        return .init(store: store, database: try store.makeDatabase(threads: 2))
    }

    @Test("PostgreSQL store, read models and checkpoints in PostgresSQLDatabase", arguments: ProjectionConformance.checks)
    func postgres(_ check: ProjectionConformance.Check) async throws {
        await #expect(throws: Never.self) { try await Self.suite.run(check) }
    }
}
