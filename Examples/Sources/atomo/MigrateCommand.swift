import ArgumentParser
import AtomoAuth
import AtomoContent
import AtomoEvents
import AtomoSchema
import AtomoTooling
import Foundation

/// `atomo migrate`: creates or upgrades the event store, the auth tables and the read models. Idempotent.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the event store, the auth tables and the read models (safe to run any number of times).",
        discussion: """
            Opens (creating or migrating) the event store, creates the users, credentials and sessions tables, then \
            starts the content engine on the schema: read models are created, altered in place, or rebuilt from the \
            log when their shape changed, and caught up with the log. Run it before starting servers in production, \
            or let the server do the same at start.
            """)

    @OptionGroup var schema: SchemaOption
    @OptionGroup var data: DataOptions

    func run() async throws {
        let loaded = try loadSchema(schema)
        let location = data.location
        let store = try await OpenEventStore.open(location)
        do {
            let head = try await store.store.headPosition()
            print("event store: \(location), \(head) events")
            try await SQLCredentialStore(database: store.database).migrate()
            try await SQLSessionStore(database: store.database).migrate()
            print("auth tables: up to date")
            let engine = try ContentEngine(
                schema: loaded.schema, events: store.store, readModels: store.database,
                policy: PolicyEngine(schema: loaded.schema))
            try await engine.start()
            await engine.stop()
            print(
                "read models: up to date with the log for \(loaded.schema.entities.map(\.name).joined(separator: ", ")) (schema \(loaded.schema.fingerprint.prefix(12)))"
            )
        } catch {
            await store.close()
            FileHandle.standardError.write(Data("atomo migrate: \(error)\n".utf8))
            throw ExitCode.failure
        }
        await store.close()
    }
}
