import ArgumentParser
import AtomoTooling
import Foundation

/// `atomo`: the command line of an Atomo workspace.
@main
struct Atomo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atomo",
        abstract: "Develop, run and inspect Atomo services.",
        subcommands: [
            InitCommand.self, SchemaCommand.self, GenerateCommand.self, CodegenCommand.self, MigrateCommand.self,
            DevCommand.self, EventsCommand.self, ReplayCommand.self, UsersCommand.self, BenchCommand.self,
        ]
    )
}

/// Options every command that touches a service's data shares.
struct DataOptions: ParsableArguments {
    @Option(help: "The data folder (default: $ATOMO_DATA_DIR, or .atomo under the working directory).")
    var dataDir: String?

    @Option(help: "A PostgreSQL URL (default: $ATOMO_DATABASE_URL); without one, SQLite in the data folder.")
    var databaseURL: String?

    /// Where the log is: the flags, else the environment, else `.atomo/` under the working directory.
    var location: EventStoreLocation {
        let environment = ProcessInfo.processInfo.environment
        let directory =
            dataDir ?? environment["ATOMO_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.currentDirectoryPath + "/.atomo"
        return EventStoreLocation.resolve(
            dataDirectory: directory, databaseURL: databaseURL ?? environment["ATOMO_DATABASE_URL"])
    }
}

/// The schema a command works on.
struct SchemaOption: ParsableArguments {
    @Option(name: .customLong("schema"), help: "The service's schema.ts (default: the only services/*/schema.ts, or the CRM example).")
    var path: String?
}
