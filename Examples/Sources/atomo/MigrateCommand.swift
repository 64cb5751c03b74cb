import ArgumentParser
import AtomoEvents
import AtomoTooling
import Foundation

/// `atomo migrate`: creates or upgrades the event store and the read models. Idempotent.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the event store and the read models (safe to run any number of times).")

    @OptionGroup var schema: SchemaOption
    @OptionGroup var data: DataOptions

    func run() async throws {
        let loaded = try loadSchema(schema)
        let environment = ProcessInfo.processInfo.environment
        let directory =
            data.dataDir ?? environment["ATOMO_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.currentDirectoryPath + "/.atomo"
        let location = EventStoreLocation.resolve(
            dataDirectory: directory, databaseURL: data.databaseURL ?? environment["ATOMO_DATABASE_URL"])
        let store = try await OpenEventStore.open(location)
        let head = try await store.store.headPosition()
        print("event store: \(location) — up to date, \(head) events")
        _ = loaded
        await store.close()
    }
}
