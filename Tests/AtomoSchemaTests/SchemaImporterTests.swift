import Foundation
import Testing

@testable import AtomoSchema

@Suite struct SchemaImporterTests {
    static func original() throws -> Schema {
        try SchemaImporter.importSchema(
            source: Fixtures.text("original-design.schema.ts"), fileName: "original-design.schema.ts")
    }

    @Test func theOriginalDesignImports() throws {
        let schema = try Self.original()
        #expect(schema.roles == ["Admin", "Manager", "Sales", "Support", "Viewer"])
        #expect(schema.enums.isEmpty)
        #expect(
            schema.blocks == [
                BlockUnion(
                    "Block",
                    [
                        BlockType("Paragraph", [Field("text", .string, required: true)]),
                        BlockType(
                            "CallLog",
                            [Field("at", .datetime, required: true), Field("summary", .string, required: true)]),
                    ])
            ])
        #expect(
            schema.entities.first
                == Entity("Company", fields: [Field("name", .string, required: true), Field("industry", .string)]))
        let contact = try #require(schema.entity("Contact"))
        #expect(
            contact.fields == [
                Field("name", .string, required: true), Field("email", .string),
                Field("company", .reference("Company")),
                Field("notes", .blocks("Block"), required: true),
            ])
        #expect(contact.actions.isEmpty)
        #expect(schema.entities.map(\.name) == ["Company", "Contact"])
        #expect(schema.entity("Company")?.access == nil)
    }

    @Test func theOriginalDesignsRulesEvaluateAsWritten() throws {
        let access = try #require(try Self.original().entity("Contact")?.access)
        #expect(
            access.read
                == .conditional(
                    .notEqual(.path(["role"]), .literal("Viewer")), .literal(["id", "name"]),
                    .literal(["id", "name", "email", "company"])))
        #expect(access.create == nil && access.delete == nil)
        // As written: every role but Viewer reads id and name; Viewer reads all four.
        for role in ["Admin", "Manager", "Sales", "Support"] {
            #expect(access.read?.evaluate(in: AccessContext(role: role)) == ["id", "name"])
        }
        #expect(access.read?.evaluate(in: AccessContext(role: "Viewer")) == ["id", "name", "email", "company"])
        let mayUpdate = Schema.defaultRoles.filter {
            access.update?.evaluate(in: AccessContext(role: $0)).isTruthy == true
        }
        #expect(mayUpdate == ["Admin", "Manager"])
    }

    @Test func schemaTSToJSONGivesAnEqualModel() throws {
        let schema = try Self.original()
        let decoded = try Schema(canonicalJSON: schema.canonicalJSON())
        #expect(decoded == schema)
        #expect(decoded.fingerprint == schema.fingerprint)
    }
}

@Suite struct SchemaImporterCRMTests {
    static func crm() throws -> Schema {
        try SchemaImporter.importSchema(source: Fixtures.text("crm.schema.ts"), fileName: "crm.schema.ts")
    }

    @Test func everyPartOfTheSubsetImports() throws {
        let schema = try Self.crm()
        #expect(schema.roles == Schema.defaultRoles)
        #expect(
            schema.enums == [
                EnumType("Stage", ["Lead", "Qualified", "Won", "Lost"], description: "Where a deal stands.")
            ])
        #expect(schema.entities.map(\.name) == ["Person", "Company", "Deal"])
        #expect(schema.entity("Person")?.plural == "People")
        #expect(
            schema.entity("Person")?.fields == [
                Field("email", .email, required: true, unique: true, pii: .personal),
                Field("name", .string, required: true, validations: [.length(min: 1, max: 120)], pii: .personal),
            ])
        #expect(
            schema.entity("Company")?.fields == [
                Field("name", .string, required: true, unique: true), Field("website", .url),
                Field("industry", .string, validations: [.oneOf(["Software", "Retail", "Other"])]),
            ])
        let deal = try #require(schema.entity("Deal"))
        #expect(deal.description == "A sales opportunity.\nOwned by one person.")
        #expect(
            deal.fields == [
                Field(
                    "title", .string, required: true, validations: [.length(min: 1, max: nil)], formerNames: ["name"],
                    description: "What the deal is about."),
                Field("stage", .enumeration("Stage"), required: true, default: "Lead"),
                Field("amount", .float, validations: [.range(min: 0, max: 10_000_000)]),
                Field("seats", .int, required: true, default: 1, validations: [.range(min: 0, max: nil)]),
                Field("owner", .reference("Person")), Field("company", .reference("Company")),
                Field("closesOn", .date), Field("summary", .text), Field("tags", .list(.string), required: true),
                Field("history", .list(.enumeration("Stage"))),
                Field("code", .string, validations: [.pattern("^[A-Z]{2}-[0-9]+$")]), Field("extra", .json),
                Field("won", .bool), Field("notes", .blocks("Block"), required: true),
            ])
        #expect(
            schema.blocks == [
                BlockUnion(
                    "Block",
                    [
                        BlockType("Paragraph", [Field("text", .text, required: true)]),
                        BlockType(
                            "CallLog",
                            [
                                Field("at", .datetime, required: true), Field("summary", .string, required: true),
                                Field("minutes", .int),
                            ], description: "A call, logged."),
                    ])
            ])
    }

    @Test func rulesAndActionsImport() throws {
        let schema = try Self.crm()
        let deal = try #require(schema.entity("Deal"))
        let access = try #require(deal.access)
        #expect(access.read == .literal(true))
        #expect(access.create == .notEqual(.path(["role"]), .literal("Viewer")))
        #expect(access.delete == .equal(.path(["role"]), .literal("Admin")))
        let sales = Principal(userID: "u1", roles: ["Sales"]).userValue
        func mayUpdate(_ role: String, owner: String) -> Bool {
            access.update?.evaluate(in: AccessContext(role: role, user: sales, record: ["owner": .string(owner)]))
                .isTruthy
                == true
        }
        #expect(
            mayUpdate("Sales", owner: "u1") && !mayUpdate("Sales", owner: "u2") && mayUpdate("Manager", owner: "u2"))
        let person = try #require(schema.entity("Person")?.access)
        #expect(person.read?.evaluate(in: AccessContext(role: "Viewer")) == ["id", "name"])
        #expect(person.read?.evaluate(in: AccessContext(role: "Sales")) == true)
        #expect(person.update == .literal(false))
        #expect(
            deal.actions == [
                ActionBinding(on: .created, action: "welcome"),
                ActionBinding(on: .updated, action: "notifyOwner", when: .changedAny(["stage", "amount"])),
                ActionBinding(
                    on: .updated, action: "celebrate",
                    when: .all([.fieldEquals("stage", "Won"), .any([.changedAny(["stage"])])])),
                ActionBinding(on: .deleted, action: "archive"),
            ])
        #expect(
            schema.entity("Company")?.actions == [
                ActionBinding(on: .updated, action: "reindex"),
                ActionBinding(on: .created, action: "enrich", when: .fieldEquals("industry", nil)),
            ])
    }

    @Test func schemaTSToJSONGivesAnEqualModel() throws {
        let schema = try Self.crm()
        let decoded = try Schema(canonicalJSON: schema.canonicalJSON())
        #expect(decoded == schema)
        #expect(decoded.fingerprint == schema.fingerprint)
    }
}

@Suite struct SchemaTSExporterTests {
    static func roundTrip(_ schema: Schema) throws -> Schema {
        let text = SchemaTSExporter.export(schema)
        do {
            return try SchemaImporter.importSchema(source: text, fileName: "exported.schema.ts")
        } catch {
            Issue.record("\(error)\n\(text)")
            throw error
        }
    }

    @Test func theOriginalDesignExportsAndReimports() throws {
        let schema = try SchemaImporterTests.original()
        #expect(try Self.roundTrip(schema) == schema)
    }

    @Test func theCRMExportsAndReimports() throws {
        let schema = try SchemaImporterCRMTests.crm()
        let back = try Self.roundTrip(schema)
        #expect(back == schema)
        #expect(back.fingerprint == schema.fingerprint)
    }

    @Test func anIndexedFieldTravelsThroughEveryForm() throws {
        let plain = Schema(entities: [Entity("Contact", fields: [Field("name", .string, required: true)])])
        var indexed = plain
        indexed.entities[0].fields[0].isIndexed = true
        #expect(try Self.roundTrip(indexed) == indexed)
        #expect(SchemaTSExporter.export(indexed).contains("/** @indexed */"))
        #expect(try Schema(canonicalJSON: indexed.canonicalJSON()) == indexed)
        #expect(String(decoding: try indexed.canonicalJSON(), as: UTF8.self).contains(#""indexed" : true"#))
        #expect(!String(decoding: try plain.canonicalJSON(), as: UTF8.self).contains("indexed"), "fingerprints unchanged")
        #expect(indexed.fingerprint != plain.fingerprint)
        let dsl = Schema { EntityDef("Contact") { StringField("name").required().indexed() } }
        #expect(dsl == indexed)
        var list = plain
        list.entities[0].fields.append(Field("tags", .list(.string), indexed: true))
        #expect {
            try list.validate()
        } throws: { error in
            guard case .invalid(let issues) = error as? SchemaError else { return false }
            return issues.map(\.description).contains { $0.contains("only scalar fields can be indexed") }
        }
    }

    @Test func theDSLSchemaExportsAndReimports() throws {
        let schema = SchemaDSLTests.crm
        #expect(try Self.roundTrip(schema) == schema)
    }

    @Test func exportedTextReadsLikeTheSubset() throws {
        let text = SchemaTSExporter.export(try SchemaImporterTests.original())
        #expect(text.contains("export type Role = 'Admin' | 'Manager' | 'Sales' | 'Support' | 'Viewer'\n"))
        #expect(text.contains("export interface Company {\n  id: string\n  name: string\n  industry?: string\n}"))
        #expect(text.contains("  | { type: 'CallLog'; at: Date; summary: string }"))
        #expect(
            text.contains(
                "read: ({ role }) => role !== 'Viewer' ? ['id', 'name'] : ['id', 'name', 'email', 'company'],"))
        #expect(text.contains("update: ({ role }) => role === 'Admin' || role === 'Manager',"))
    }

    @Test func precedenceIsKeptWithParentheses() throws {
        let rule: AccessExpression = .and(
            .or(.equal(.path(["role"]), .literal("Admin")), .literal(false)),
            .not(.conditional(.path(["record", "x"]), .literal(1), .literal(-2.5))))
        #expect(
            SchemaTSExporter.expression(rule, 0) == "(role === 'Admin' || false) && !(record.x ? 1 : -2.5)")
        var schema = Schema(entities: [
            Entity("Thing", fields: [Field("x", .json)], access: EntityAccess(read: rule, update: .literal("it's\n")))
        ])
        schema.entities[0].fields[0].description = "Odd */ text\nover two lines"
        #expect(try Self.roundTrip(schema).entities[0].access == schema.entities[0].access)
        #expect(try Self.roundTrip(schema).entities[0].fields[0].description == "Odd * / text\nover two lines")
    }
}
