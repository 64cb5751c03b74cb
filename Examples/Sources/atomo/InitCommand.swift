import ArgumentParser
import AtomoTooling
import Foundation

/// `atomo init <name> --template crm`.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a workspace with services/<name>/schema.ts and a README.")

    @Argument(help: "The workspace's name: its folder and its first service.")
    var name: String

    @Option(help: "The template: \(WorkspaceScaffold.templates.joined(separator: ", ")).")
    var template: String = "crm"

    @Option(help: "Where to create the workspace folder.")
    var directory: String = "."

    func run() throws {
        do {
            let files = try WorkspaceScaffold(name: name, template: template)
                .create(in: URL(fileURLWithPath: directory))
            print("Created \(name)/")
            for file in files { print("  \(file)") }
            print("\nNext: cd \(name) && atomo dev")
        } catch let error as ToolError {
            throw ValidationError(error.description)
        }
    }
}
