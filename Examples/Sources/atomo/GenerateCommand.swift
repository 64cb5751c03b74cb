import ArgumentParser
import AtomoTooling
import Foundation

/// `atomo generate`: Swift `Codable` types.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Generate Swift Codable types for the schema's entities and events.")

    @OptionGroup var schema: SchemaOption

    @Option(name: .shortAndLong, help: "The Swift file to write (default: standard output).")
    var output: String?

    @Flag(help: "Declare the types internal rather than public.")
    var `internal` = false

    func run() throws {
        let loaded = try loadSchema(schema)
        let source = SwiftTypesGenerator(schema: loaded.schema, isPublic: !`internal`).generate()
        if let output {
            let url = URL(fileURLWithPath: output)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(source.utf8).write(to: url)
            print("wrote \(output)")
        } else {
            print(source, terminator: "")
        }
    }
}
