import AtomoContent
import AtomoEvents
import AtomoSchema
import Foundation

@testable import AtomoGraphQL

/// A content engine on a temporary SQLite file and the GraphQL service over it.
struct GraphQLHarness {
    let store: SQLiteEventStore
    let engine: ContentEngine
    let service: GraphQLService

    static func path() -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "atomo-graphql-tests", isDirectory: true)
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("\(UUID().uuidString).sqlite").path
    }

    /// An engine that is not started: enough for everything that happens before execution.
    static func unstarted(
        _ schema: Schema = CRMFixture.schema(), limits: GraphQLLimits = GraphQLLimits(),
        executor: GraphQLExecutorKind = .planned
    ) async throws -> GraphQLHarness {
        let store = try await SQLiteEventStore(path: path())
        let engine = try ContentEngine(schema: schema, events: store, readModels: store.database)
        return GraphQLHarness(
            store: store, engine: engine, service: GraphQLService(engine: engine, limits: limits, executor: executor))
    }

    /// A started engine with `policy`.
    static func started(
        _ schema: Schema = CRMFixture.schema(), policy: any AccessPolicy = UnrestrictedAccessPolicy(),
        limits: GraphQLLimits = GraphQLLimits(), executor: GraphQLExecutorKind = .planned
    ) async throws -> GraphQLHarness {
        let store = try await SQLiteEventStore(path: path())
        let engine = try ContentEngine(schema: schema, events: store, readModels: store.database, policy: policy)
        try await engine.start()
        return GraphQLHarness(
            store: store, engine: engine, service: GraphQLService(engine: engine, limits: limits, executor: executor))
    }

    func close() async {
        await engine.stop()
        store.close()
    }

    /// The response body as JSON.
    static func json(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }
}

extension JSONValue {
    /// `errors[0].extensions.code`.
    var firstErrorCode: String? { self["errors"]?.arrayValue?.first?["extensions"]?["code"]?.stringValue }
}
