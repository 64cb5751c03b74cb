import ArgumentParser
import AtomoTooling
import Foundation

/// `atomo codegen`: the TypeScript SDK.
struct CodegenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codegen",
        abstract: "Generate TypeScript types, typed GraphQL operations and @tanstack/react-query hooks.")

    @OptionGroup var schema: SchemaOption

    @Option(name: .shortAndLong, help: "The folder to write types.ts, operations.ts, hooks.ts and index.ts into.")
    var output: String = "atomo-client"

    func run() throws {
        let loaded = try loadSchema(schema)
        let folder = URL(fileURLWithPath: output, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in TypeScriptGenerator(schema: loaded.schema).generate() {
            try Data(file.contents.utf8).write(to: folder.appendingPathComponent(file.name))
            print("wrote \(folder.appendingPathComponent(file.name).path)")
        }
    }
}
