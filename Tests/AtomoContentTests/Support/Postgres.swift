import AtomoContent
import AtomoPostgres
import AtomoSchema
import AtomoSQL
import AtomoTesting
import Foundation
import Testing

/// The server the PostgreSQL tests run against: `ATOMO_POSTGRES_URL`. Tests carry
/// `TestEnvironment.postgres.trait`: without a reachable server they skip, or fail under `ATOMO_REQUIRE_ALL=1`.
enum PostgresTestServer {
    static let url = TestEnvironment.postgresURL

    /// A store and a read-model database in a fresh schema, and an engine on them.
    static func harness(_ schema: Schema = CRM.schema) async throws -> PostgresHarness {
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let store = try await PostgresEventStore(
            url: try #require(url),
            configuration: .init(schema: try SQLIdentifier("content_\(suffix)"), pollInterval: .milliseconds(200)))
        let database = try store.makeDatabase(threads: 2)
        let engine = try ContentEngine(schema: schema, events: store, readModels: database)
        try await engine.start()
        return PostgresHarness(store: store, database: database, engine: engine)
    }
}

struct PostgresHarness {
    let store: PostgresEventStore
    let database: PostgresSQLDatabase
    let engine: ContentEngine

    func close() async {
        await engine.stop()
        database.close()
        try? await store.dropSchemaAndClose()
    }
}
