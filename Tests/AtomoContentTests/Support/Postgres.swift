import AtomoContent
import AtomoPostgres
import AtomoSchema
import AtomoSQL
import Foundation
import Testing

/// The server the PostgreSQL tests run against: `ATOMO_POSTGRES_URL`, or nothing (tests skip).
enum PostgresTestServer {
    static let url = ProcessInfo.processInfo.environment["ATOMO_POSTGRES_URL"]
    static let isAvailable = url != nil
    static let skipMessage: Comment =
        "set ATOMO_POSTGRES_URL=postgres://user@host:port/db (scripts/test and .ci/run start a server) to run the PostgreSQL tests"

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
