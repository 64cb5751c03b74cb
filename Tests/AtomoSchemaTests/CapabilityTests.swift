import AtomoSchema
import Foundation
import Testing

@Suite("Platform capabilities in the schema")
struct CapabilityTests {
    static let contact = Entity("Contact", fields: [Field("name", .string, required: true)])

    @Test("by default the first role holds every capability and the others none")
    func theFirstRoleHoldsAllByDefault() {
        let schema = Schema(entities: [Self.contact])
        for capability in PlatformCapability.named + [.runAction("scoreDeal"), .everyAction] {
            #expect(schema.grants(capability, to: "Admin"), "\(capability)")
            for role in ["Manager", "Sales", "Support", "Viewer"] {
                #expect(!schema.grants(capability, to: role), "\(role) \(capability)")
            }
            #expect(!schema.grants(capability, to: "Owner"), "an undeclared role holds nothing")
        }
    }

    @Test("a listed role holds exactly what it lists; runAction:* covers every action; the first role keeps all")
    func grantsAreExact() {
        let schema = Schema(
            entities: [Self.contact],
            capabilities: ["Manager": [.readAudit, .runAction("scoreDeal")], "Sales": [.everyAction], "Viewer": []])
        #expect(schema.grants(.readAudit, to: "Manager"))
        #expect(schema.grants(.runAction("scoreDeal"), to: "Manager"))
        #expect(!schema.grants(.runAction("sendWelcome"), to: "Manager"))
        #expect(!schema.grants(.manageUsers, to: "Manager"))
        #expect(schema.grants(.runAction("sendWelcome"), to: "Sales"))
        #expect(!schema.grants(.readMetrics, to: "Sales"))
        #expect(!schema.grants(.readAudit, to: "Viewer"))
        #expect(schema.grants(.manageUsers, to: "Admin"), "granting others takes nothing from the first role")
        var limited = schema
        limited.capabilities["Admin"] = [.manageUsers]
        #expect(limited.grants(.manageUsers, to: "Admin") && !limited.grants(.readEventLog, to: "Admin"))
    }

    @Test("names parse and print; unknown names are refused")
    func names() {
        for capability in PlatformCapability.named {
            #expect(PlatformCapability(name: capability.name) == capability)
        }
        #expect(PlatformCapability(name: "runAction:scoreDeal") == .runAction("scoreDeal"))
        #expect(PlatformCapability(name: "runAction:*") == .everyAction)
        #expect(PlatformCapability.runAction("scoreDeal").name == "runAction:scoreDeal")
        for bad in ["admin", "runAction:", "runAction:1abc", "runAction:a b", "ManageUsers", ""] {
            #expect(PlatformCapability(name: bad) == nil, "\(bad)")
        }
    }

    @Test("grants travel through the DSL, canonical JSON and schema.ts; absent grants leave the fingerprint as it was")
    func everyForm() throws {
        let plain = Schema(entities: [Self.contact])
        let granted = Schema(
            entities: [Self.contact], capabilities: ["Manager": [.readAudit, .readMetrics, .runAction("scoreDeal")]])
        let dsl = Schema {
            EntityDef(Self.contact)
            Capabilities("Manager", .readAudit, .readMetrics)
            Capabilities("Manager", .runAction("scoreDeal"), .readAudit)
        }
        #expect(dsl == granted)
        #expect(try Schema(canonicalJSON: granted.canonicalJSON()) == granted)
        let json = String(decoding: try granted.canonicalJSON(), as: UTF8.self)
        #expect(json.contains(#""runAction:scoreDeal""#))
        #expect(!String(decoding: try plain.canonicalJSON(), as: UTF8.self).contains("capabilities"))
        #expect(plain.fingerprint != granted.fingerprint)
        let text = SchemaTSExporter.export(granted)
        #expect(
            text.contains(
                "export const capabilities = {\n  Manager: ['readAudit', 'readMetrics', 'runAction:scoreDeal'],\n}"))
        #expect(try SchemaImporter.importSchema(source: text) == granted)
    }

    @Test("malformed grants are refused with their place named")
    func malformed() throws {
        let unknownRole = Schema(entities: [Self.contact], capabilities: ["Owner": [.readAudit]])
        #expect {
            try unknownRole.validate()
        } throws: { error in
            guard case .invalid(let issues) = error as? SchemaError else { return false }
            return issues.contains { $0.location == "capabilities.Owner" && $0.message.contains("not a declared role") }
        }
        let badJSON = Data(#"{"entities": [], "capabilities": {"Admin": ["fly"]}}"#.utf8)
        #expect {
            try Schema(canonicalJSON: badJSON)
        } throws: { error in
            guard case .malformedJSON(let message) = error as? SchemaError else { return false }
            return message.contains("unknown capability 'fly'")
        }
        let source = """
            export interface Contact {
              id: string
              name: string
            }
            export const capabilities = { Manager: ['readAudit', 'fly'] }
            """
        #expect {
            try SchemaImporter.importSchema(source: source)
        } throws: { error in
            guard let error = error as? SchemaImportError else { return false }
            return error.kind == .unsupported && error.line == 5 && error.message == "not a capability"
        }
        let unknown = """
            export interface Contact {
              id: string
              name: string
            }
            export const capabilities = { Owner: ['readAudit'] }
            """
        #expect {
            try SchemaImporter.importSchema(source: unknown)
        } throws: { error in
            (error as? SchemaImportError)?.kind == .unknownName
        }
    }

    @Test("a change of grants is a compatible schema change naming what was granted and taken")
    func diff() {
        let old = Schema(entities: [Self.contact], capabilities: ["Manager": [.readAudit]])
        let new = Schema(entities: [Self.contact], capabilities: ["Manager": [.readMetrics]])
        let changes = SchemaDiff(from: old, to: new).changes
        #expect(changes.map(\.kind) == [.capabilitiesChanged])
        #expect(changes.first?.location == "capabilities.Manager")
        #expect(changes.first?.message == "granted readMetrics; no longer granted readAudit")
        #expect(changes.first?.classification == .compatible)
        #expect(SchemaDiff(from: old, to: old).isEmpty)
    }
}
