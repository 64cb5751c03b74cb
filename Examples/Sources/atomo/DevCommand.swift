import ArgumentParser
import AtomoServer
import AtomoTooling
import Foundation
import Logging

/// `atomo dev`: serves a service's schema.ts and reloads it on every save, without a restart.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Serve a service's schema.ts on embedded SQLite, reloading it live whenever it is saved.",
        discussion: """
            On each save the file is imported again and compared with the schema being served; the read models \
            are migrated (or rebuilt from the log) and the GraphQL schemas swapped, while the server keeps \
            running. A file that does not import is reported as file:line:column and the last good schema keeps \
            serving. See docs/guide/dev-runtime.md.
            """)

    @OptionGroup var schema: SchemaOption
    @OptionGroup var server: ServerOptions

    func run() async throws {
        let path: String
        do {
            path = try ServiceLocator.schemaPath(given: schema.path)
        } catch let error as ToolError {
            throw ValidationError(error.description)
        }
        var configuration = try server.configuration(schemaPath: path, defaultMode: .development)
        configuration.watchSchema = true
        try await serve(configuration)
    }
}
