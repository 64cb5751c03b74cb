import AtomoContent
import AtomoEvents
import AtomoSchema
import AtomoSQL
import AtomoSQLite
import Foundation

/// The CRM schema the tests use.
enum CRM {
    static let stage = EnumType("Stage", ["Lead", "Qualified", "Won", "Lost"])
    static let note = BlockUnion("Note", [
        BlockType("Paragraph", [Field("text", .text, required: true)]),
        BlockType("CallLog", [Field("at", .datetime, required: true), Field("summary", .string, required: true)]),
    ])

    static let company = Entity("Company", fields: [
        Field("name", .string, required: true, unique: true, validations: [.length(min: 1, max: 200)]),
        Field("industry", .string),
        Field("employees", .int, validations: [.range(min: 0, max: nil)]),
    ])

    static let contact = Entity("Contact", fields: [
        Field("name", .string, required: true, validations: [.length(min: 1, max: 200)]),
        Field("email", .email, unique: true),
        Field("company", .reference("Company")),
        Field("stage", .enumeration("Stage"), default: "Lead"),
        Field("score", .int, validations: [.range(min: 0, max: 100)]),
        Field("amount", .float),
        Field("active", .bool, default: true),
        Field("tags", .list(.string)),
        Field("notes", .blocks("Note")),
        Field("birthday", .date),
        Field("lastContactAt", .datetime),
        Field("website", .url),
        Field("code", .string, validations: [.pattern("[A-Z]{2}[0-9]{2}")]),
    ])

    static let schema = Schema(enums: [stage], blocks: [note], entities: [company, contact])
}

/// A fresh file in a temporary folder for each test.
enum TemporaryFiles {
    static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("atomo-content-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static func path(_ name: String) -> String {
        folder.appendingPathComponent("\(name)-\(UUID().uuidString).sqlite").path
    }
}

/// An engine on a SQLite file: log and read models in one database.
struct SQLiteHarness {
    let store: SQLiteEventStore
    let engine: ContentEngine

    static func make(
        _ schema: Schema = CRM.schema, policy: any AccessPolicy = UnrestrictedAccessPolicy(), path: String? = nil,
        configuration: ContentEngine.Configuration = .init()
    ) async throws -> SQLiteHarness {
        let store = try await SQLiteEventStore(path: path ?? TemporaryFiles.path("content"))
        let engine = try ContentEngine(
            schema: schema, events: store, readModels: store.database, policy: policy, configuration: configuration)
        try await engine.start()
        return SQLiteHarness(store: store, engine: engine)
    }

    func close() async {
        await engine.stop()
        store.close()
    }
}

let admin = Principal(userID: "admin-1", roles: ["Admin"])
