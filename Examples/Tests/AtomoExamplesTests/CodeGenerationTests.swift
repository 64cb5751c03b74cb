import AtomoSchema
import AtomoTooling
import Foundation
import Testing

/// `atomo generate` (Swift) and `atomo codegen` (TypeScript) on the CRM schema: the output compiles.
@Suite("Code generation")
struct CodeGenerationTests {
    @Test("generate: the Swift types for the CRM schema type-check, and decode what the API sends")
    func swiftTypesCompile() throws {
        let schema = try CRMFixture.schema()
        let source = SwiftTypesGenerator(schema: schema).generate()
        #expect(source.contains("public struct Contact: Codable"))
        #expect(source.contains("public enum Stage: String"))
        #expect(source.contains("public struct ContactUpdated: Codable"))
        #expect(source.contains("case callLog(CallLog)"))
        let folder = try TestPaths.temporaryDirectory("swift-generate")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("CRM.swift")
        try Data(source.utf8).write(to: file)
        // A main file that decodes a contact with blocks through the generated types.
        let main = folder.appendingPathComponent("main.swift")
        try Data(
            #"""
            import Foundation
            let json = #"{"id":"c1","version":2,"name":"Ada","notes":[{"type":"Paragraph","text":"Hi"},{"type":"CallLog","at":"2026-11-29T10:00:00Z","summary":"Intro"}]}"#
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let contact = try decoder.decode(Contact.self, from: Data(json.utf8))
            guard case .callLog(let call) = contact.notes[1], call.summary == "Intro", contact.version == 2 else { fatalError() }
            let stage: Stage = .qualified
            print(stage.rawValue)
            """#.utf8
        ).write(to: main)
        let swiftc = TestPaths.which("swiftc") ?? "/usr/bin/swiftc"
        let result = try runProgram(swiftc, ["-typecheck", "-swift-version", "6", file.path, main.path])
        #expect(result.status == 0, "swiftc -typecheck failed:\n\(result.errors)")
    }

    @Test(
        "codegen: the TypeScript SDK for the CRM schema type-checks with tsc --strict",
        .enabled(
            if: TestPaths.which("tsc") != nil,
            "tsc is not installed (Debian: apt-get install node-typescript; .ci/run installs it)"))
    func typeScriptCompiles() throws {
        let tsc = try #require(TestPaths.which("tsc"))
        let schema = try CRMFixture.schema()
        let files = TypeScriptGenerator(schema: schema).generate()
        #expect(files.map(\.name) == ["types.ts", "operations.ts", "hooks.ts", "index.ts"])
        let hooks = try #require(files.first { $0.name == "hooks.ts" }).contents
        for hook in ["useContacts", "useContact", "useCreateContact", "useUpdateContact", "useDeleteContact", "useDeals"] {
            #expect(hooks.contains("export function \(hook)("), "missing \(hook)")
        }
        let types = try #require(files.first { $0.name == "types.ts" }).contents
        #expect(types.contains("export interface ContactWhere"))
        #expect(types.contains("export interface ContactCreateInput"))
        #expect(types.contains("export type Stage = 'Lead' | 'Qualified' | 'Proposal' | 'Won' | 'Lost';"))

        let folder = try TestPaths.temporaryDirectory("tsc")
        defer { try? FileManager.default.removeItem(at: folder) }
        let generated = folder.appendingPathComponent("generated")
        try FileManager.default.createDirectory(at: generated, withIntermediateDirectories: true)
        for file in files { try Data(file.contents.utf8).write(to: generated.appendingPathComponent(file.name)) }
        for fixture in ["react-query.d.ts", "usage.ts"] {
            try FileManager.default.copyItem(at: TestPaths.fixture(fixture), to: folder.appendingPathComponent(fixture))
        }
        let result = try runProgram(
            tsc,
            [
                "--noEmit", "--strict", "--target", "es2020", "--module", "es2020", "--moduleResolution", "node",
                "--lib", "es2020,dom",
                folder.appendingPathComponent("react-query.d.ts").path, folder.appendingPathComponent("usage.ts").path,
            ] + files.map { generated.appendingPathComponent($0.name).path })
        #expect(result.status == 0, "tsc failed:\n\(result.output)\(result.errors)")
    }
}
