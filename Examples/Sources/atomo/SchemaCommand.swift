import ArgumentParser
import AtomoSchema
import AtomoTooling
import Foundation

/// `atomo schema export <schema.ts>`.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "Work with schema files.", subcommands: [Export.self])

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a schema.ts as canonical JSON (the form /meta/schema serves).",
            discussion: "Errors are reported as file:line:column: message, and the exit status is 1.")

        @Argument(help: "The schema.ts (or canonical .json) to export.")
        var path: String

        func run() throws {
            let loaded = try loadOrExit(path)
            let json = try loaded.schema.canonicalJSON()
            FileHandle.standardOutput.write(json)
            FileHandle.standardOutput.write(Data("\n".utf8))
        }
    }
}

/// Loads a schema, or prints `file:line:column: message` to standard error and exits with status 1.
func loadOrExit(_ path: String) throws -> LoadedSchema {
    do {
        return try SchemaLoader.load(path)
    } catch {
        FileHandle.standardError.write(Data("\(error.description)\n".utf8))
        throw ExitCode.failure
    }
}

/// The schema named by `option`, or found by ``ServiceLocator``.
func loadSchema(_ option: SchemaOption) throws -> LoadedSchema {
    let path: String
    do {
        path = try ServiceLocator.schemaPath(given: option.path)
    } catch let error as ToolError {
        throw ValidationError(error.description)
    }
    return try loadOrExit(path)
}
