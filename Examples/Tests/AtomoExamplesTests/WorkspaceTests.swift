import AtomoSchema
import AtomoTooling
import Foundation
import Testing

/// `atomo init` and `atomo schema export`, run as a user would.
@Suite("Workspace commands")
struct WorkspaceTests {
    @Test("the crm template is services/crm-service/schema.ts, byte for byte")
    func templateMatchesTheExample() throws {
        let scaffolded = try TestPaths.temporaryDirectory("init")
        defer { try? FileManager.default.removeItem(at: scaffolded) }
        let result = try runProgram(
            TestPaths.executable("atomo").path, ["init", "acme", "--template", "crm"], in: scaffolded)
        #expect(result.status == 0, "\(result.errors)")
        let written = try String(
            contentsOf: scaffolded.appendingPathComponent("acme/services/acme/schema.ts"), encoding: .utf8)
        let example = try String(contentsOf: TestPaths.crmSchema, encoding: .utf8)
        #expect(written == example, "run Examples/scripts/update-crm-template after editing the CRM schema")
        #expect(FileManager.default.fileExists(atPath: scaffolded.appendingPathComponent("acme/README.md").path))
        // A second init into the same folder refuses rather than overwriting.
        let again = try runProgram(
            TestPaths.executable("atomo").path, ["init", "acme", "--template", "crm"], in: scaffolded)
        #expect(again.status != 0)
        #expect(again.errors.contains("exists"))
        // The scaffolded schema exports.
        let export = try runProgram(
            TestPaths.executable("atomo").path, ["schema", "export", "services/acme/schema.ts"],
            in: scaffolded.appendingPathComponent("acme"))
        #expect(export.status == 0, "\(export.errors)")
        #expect(export.output.contains("\"Contact\""))
    }

    @Test("schema export prints canonical JSON equal to the model's own")
    func exportPrintsCanonicalJSON() throws {
        let result = try runProgram(TestPaths.executable("atomo").path, ["schema", "export", TestPaths.crmSchema.path])
        #expect(result.status == 0, "\(result.errors)")
        let schema = try CRMFixture.schema()
        #expect(result.output == String(decoding: try schema.canonicalJSON(), as: UTF8.self) + "\n")
        let contact = try #require(schema.entity("Contact"))
        let read = try #require(contact.access?.read)
        #expect(read.evaluate(in: .init(role: "Viewer")) == ["id", "name"])
        for role in ["Admin", "Manager", "Sales", "Support"] {
            #expect(read.evaluate(in: .init(role: role)) == ["id", "name", "email", "company", "notes"])
        }
        let creators = schema.roles.filter { contact.access?.create?.evaluate(in: .init(role: $0)).isTruthy == true }
        let updaters = schema.roles.filter { contact.access?.update?.evaluate(in: .init(role: $0)).isTruthy == true }
        let deleters = schema.roles.filter { contact.access?.delete?.evaluate(in: .init(role: $0)).isTruthy == true }
        #expect(creators == ["Admin", "Manager", "Sales"])
        #expect(updaters == ["Admin", "Manager"])
        #expect(deleters == ["Admin"])
        let deal = try #require(schema.entity("Deal"))
        #expect(deal.field("stage")?.type == .enumeration("Stage"))
        #expect(deal.field("amount")?.type == .float)
        #expect(deal.field("owner") != nil)
    }

    @Test("schema export reports a syntax error as file:line:column and exits 1")
    func exportReportsPositions() throws {
        let folder = try TestPaths.temporaryDirectory("broken")
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = folder.appendingPathComponent("schema.ts")
        var source = try String(contentsOf: TestPaths.crmSchema, encoding: .utf8)
        source = source.replacingOccurrences(of: "  industry?: string\n", with: "  industry?: string\n  oops: = 3\n")
        try Data(source.utf8).write(to: broken)
        let line = source.components(separatedBy: "\n").firstIndex { $0.contains("oops") }.map { $0 + 1 } ?? 0
        let result = try runProgram(TestPaths.executable("atomo").path, ["schema", "export", broken.path])
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        #expect(result.errors.hasPrefix("\(broken.path):\(line):9: "), "\(result.errors)")
    }
}
