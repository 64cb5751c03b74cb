import AtomoSchema
import Foundation
import Testing

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
