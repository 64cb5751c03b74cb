import AtomoSchema
import Foundation
import Testing

@Suite struct SchemaDSLTests {
    /// A CRM schema that uses every part of the DSL.
    static let crm = Schema {
        Roles("Admin", "Manager", "Sales", "Support", "Viewer")
        Enum("Stage", "Lead", "Qualified", "Won", "Lost", description: "Where a deal stands")
        Blocks("Block") {
            Variant("Paragraph") { TextField("text").required() }
            Variant("CallLog") {
                DateTimeField("at").required()
                StringField("summary").required()
                IntField("minutes").range(min: 0)
            }
        }
        EntityDef("Company", plural: "Companies") {
            StringField("name").required().unique().length(1...200)
            StringField("industry").oneOf("Software", "Retail", "Other")
            URLField("website")
        }
        EntityDef("Contact", description: "A person we talk to") {
            StringField("name").required().length(1...200).pii(.personal)
            EmailField("email").unique().pii(.personal)
            StringField("phone").pattern("^\\+?[0-9 ]+$").pii(.personal).formerly("telephone")
            Reference("company", to: "Company")
            BlockList("notes", of: "Block")
            ListField("tags", of: .string).length(max: 10)
            DateField("birthday").pii(.sensitive)
            BoolField("subscribed").default(false)
            JSONField("extra").description("Anything else")
        } access: {
            Read { .when($0.role != "Viewer", then: ["id", "name"], else: ["id", "name", "email", "company"]) }
            Update { $0.role == "Admin" || $0.role == "Manager" }
        }
        EntityDef("Deal") {
            StringField("title").required()
            EnumField("stage", of: "Stage").required().default("Lead")
            FloatField("amount").range(0...10_000_000)
            StringField("owner")
            Reference("contact", to: "Contact")
        } access: {
            Read { _ in .allow }
            Create { !($0.role == "Viewer") }
            Update { $0.role == "Admin" || ($0.user.id != nil && $0.record.owner == $0.user.id) }
            Delete { $0.role == "Admin" }
        } actions: {
            On(.created, "welcome")
            On(.updated, "notifyOwner", when: .changedAny(["stage", "amount"]))
            On(.updated, "celebrate", when: .fieldEquals("stage", "Won"))
            On(.deleted, "archive")
        }
    }

    @Test func theDSLBuildsAValidSchema() throws {
        try Self.crm.validate()
        #expect(Self.crm.roles == ["Admin", "Manager", "Sales", "Support", "Viewer"])
        #expect(
            Self.crm.enums == [
                EnumType("Stage", ["Lead", "Qualified", "Won", "Lost"], description: "Where a deal stands")
            ])
        #expect(Self.crm.blockUnion("Block")?.variants.map(\.name) == ["Paragraph", "CallLog"])
        #expect(Self.crm.entities.map(\.name) == ["Company", "Contact", "Deal"])
        #expect(Self.crm.entity("Company")?.plural == "Companies")
    }

    @Test func fieldsCarryEveryModifier() throws {
        let contact = try #require(Self.crm.entity("Contact"))
        #expect(
            contact.field("name")
                == Field("name", .string, required: true, validations: [.length(min: 1, max: 200)], pii: .personal))
        #expect(contact.field("email") == Field("email", .email, unique: true, pii: .personal))
        #expect(
            contact.field("phone")
                == Field(
                    "phone", .string, validations: [.pattern("^\\+?[0-9 ]+$")], pii: .personal,
                    formerNames: ["telephone"]))
        #expect(contact.field("company")?.type == .reference("Company"))
        #expect(contact.field("notes")?.type == .blocks("Block"))
        #expect(contact.field("tags") == Field("tags", .list(.string), validations: [.length(min: nil, max: 10)]))
        #expect(contact.field("birthday") == Field("birthday", .date, pii: .sensitive))
        #expect(contact.field("subscribed") == Field("subscribed", .bool, default: false))
        #expect(contact.field("extra") == Field("extra", .json, description: "Anything else"))
        #expect(contact.description == "A person we talk to")
        let deal = try #require(Self.crm.entity("Deal"))
        #expect(deal.field("stage") == Field("stage", .enumeration("Stage"), required: true, default: "Lead"))
        #expect(deal.field("amount")?.validations == [.range(min: 0, max: 10_000_000)])
        #expect(
            deal.actions == [
                ActionBinding(on: .created, action: "welcome"),
                ActionBinding(on: .updated, action: "notifyOwner", when: .changedAny(["stage", "amount"])),
                ActionBinding(on: .updated, action: "celebrate", when: .fieldEquals("stage", "Won")),
                ActionBinding(on: .deleted, action: "archive"),
            ])
        #expect(Self.crm.entity("Company")?.access == nil)
    }

    @Test func accessRulesBuildTheExpressionsTheyRead() throws {
        let contact = try #require(Self.crm.entity("Contact")?.access)
        #expect(
            contact.read
                == .conditional(
                    .notEqual(.path(["role"]), .literal("Viewer")), .literal(["id", "name"]),
                    .literal(["id", "name", "email", "company"])))
        #expect(
            contact.update
                == .or(.equal(.path(["role"]), .literal("Admin")), .equal(.path(["role"]), .literal("Manager"))))
        let deal = try #require(Self.crm.entity("Deal")?.access)
        #expect(deal.read == .literal(true))
        #expect(deal.create == .not(.equal(.path(["role"]), .literal("Viewer"))))
        #expect(
            deal.update
                == .or(
                    .equal(.path(["role"]), .literal("Admin")),
                    .and(
                        .notEqual(.path(["user", "id"]), .literal(.null)),
                        .equal(.path(["record", "owner"]), .path(["user", "id"])))))

        let owner = Principal(userID: "u1", roles: ["Sales"])
        func may(_ role: String, _ rule: AccessExpression?, record: JSONValue? = nil) -> Bool {
            rule?.evaluate(in: AccessContext(role: role, user: owner.userValue, record: record)).isTruthy ?? true
        }
        #expect(may("Sales", deal.update, record: ["owner": "u1"]))
        #expect(!may("Sales", deal.update, record: ["owner": "u2"]))
        #expect(may("Admin", deal.update, record: ["owner": "u2"]))
        #expect(!may("Viewer", deal.create) && may("Support", deal.create))
        #expect(contact.read?.evaluate(in: AccessContext(role: "Viewer")) == ["id", "name", "email", "company"])
    }

    @Test func dslToCanonicalJSONGivesAnEqualModel() throws {
        let json = try Self.crm.canonicalJSON()
        let decoded = try Schema(canonicalJSON: json)
        #expect(decoded == Self.crm)
        #expect(decoded.fingerprint == Self.crm.fingerprint)
        #expect(try decoded.canonicalJSON() == json)
    }

    @Test func theDSLMatchesTheModelBuiltByHand() {
        let withCompany = ProcessInfo.processInfo.environment["ATOMO_NO_COMPANY"] == nil
        let dsl = Schema {
            Enum("Stage", "Lead", "Won")
            if withCompany { EntityDef("Company") { StringField("name").required() } }
            for name in ["A", "B"] {
                EntityDef("Thing\(name)") { IntField("count") }
            }
            EntityDef(Entity("Raw", fields: [Field("value", .float)]))
        }
        let model = Schema(
            enums: [EnumType("Stage", ["Lead", "Won"])],
            entities: [
                Entity("Company", fields: [Field("name", .string, required: true)]),
                Entity("ThingA", fields: [Field("count", .int)]),
                Entity("ThingB", fields: [Field("count", .int)]),
                Entity("Raw", fields: [Field("value", .float)]),
            ])
        #expect(dsl == model)
        #expect(dsl.roles == Schema.defaultRoles)
    }

    @Test func wholeDoublesSurviveCanonicalJSON() throws {
        let schema = Schema {
            EntityDef("Reading") {
                FloatField("value").default(1.0)
            } access: {
                Read { $0.record.value == 2.0 }
            }
        }
        #expect(try Schema(canonicalJSON: schema.canonicalJSON()) == schema)
        let imported = try SchemaImporter.importSchema(
            source: "export interface Reading {\n  /** @default 1.0 */\n  value?: number\n}\n")
        #expect(imported.entities[0].fields == schema.entities[0].fields)
    }

    @Test func termsOffAPathAreNull() {
        let term: AccessTerm = ["a", 1, 2.5, true, nil]
        #expect(term.expression == .literal(["a", 1, 2.5, true, nil]))
        let mixed: AccessTerm = ["a", AccessScope().role]
        #expect(mixed.expression == .array([.literal("a"), .path(["role"])]))
        #expect((AccessScope().role == "x").owner.expression == .literal(.null))
        #expect(AccessTerm.fields("id", "name").expression == .literal(["id", "name"]))
    }
}
