import AtomoSchema
import Testing

/// One edit of the base schema and the change it must produce.
struct SchemaEdit: Sendable, CustomTestStringConvertible {
    let name: String
    let kind: SchemaChange.Kind
    let location: String
    let classification: SchemaChange.Classification
    let edit: @Sendable (inout Schema) -> Void

    init(
        _ name: String, _ kind: SchemaChange.Kind, at location: String, _ classification: SchemaChange.Classification,
        _ edit: @escaping @Sendable (inout Schema) -> Void
    ) {
        self.name = name
        self.kind = kind
        self.location = location
        self.classification = classification
        self.edit = edit
    }

    var testDescription: String { name }
}

@Suite struct SchemaDiffTests {
    static let base = Schema(
        roles: ["Admin", "Sales", "Viewer"],
        enums: [EnumType("Stage", ["Lead", "Won", "Lost"])],
        blocks: [
            BlockUnion(
                "Block",
                [
                    BlockType("Paragraph", [Field("text", .text, required: true)]),
                    BlockType("CallLog", [Field("at", .datetime, required: true), Field("summary", .string)]),
                ])
        ],
        entities: [
            Entity("Company", fields: [Field("name", .string, required: true)]),
            Entity(
                "Deal",
                fields: [
                    Field("title", .string, required: true, validations: [.length(min: 1, max: 200)]),
                    Field("stage", .enumeration("Stage"), default: "Lead"),
                    Field("amount", .int, validations: [.range(min: 0, max: 1_000_000)]),
                    Field("code", .string, validations: [.pattern("^[A-Z]+$")]),
                    Field("channel", .string, validations: [.oneOf(["web", "phone"])]),
                    Field("email", .email, unique: true, pii: .personal),
                    Field("summary", .string, description: "A line"),
                    Field("company", .reference("Company")),
                    Field("tags", .list(.string)),
                    Field("notes", .blocks("Block")),
                ],
                access: EntityAccess(update: .equal(.path(["role"]), .literal("Admin"))),
                actions: [ActionBinding(on: .updated, action: "notify", when: .changedAny(["stage"]))]),
        ])

    static func field(_ schema: inout Schema, _ name: String, _ edit: (inout Field) -> Void) {
        guard let e = schema.entities.firstIndex(where: { $0.name == "Deal" }),
            let f = schema.entities[e].fields.firstIndex(where: { $0.name == name })
        else { return }
        edit(&schema.entities[e].fields[f])
    }

    static func deal(_ schema: inout Schema, _ edit: (inout Entity) -> Void) {
        guard let e = schema.entities.firstIndex(where: { $0.name == "Deal" }) else { return }
        edit(&schema.entities[e])
    }

    static let edits: [SchemaEdit] = [
        // Additive.
        SchemaEdit("new entity", .entityAdded, at: "Note", .additive) {
            $0.entities.append(Entity("Note", fields: [Field("body", .text, required: true)]))
        },
        SchemaEdit("new optional field", .fieldAdded, at: "Deal.probability", .additive) { s in
            deal(&s) { $0.fields.append(Field("probability", .float)) }
        },
        SchemaEdit("new required field with a default", .fieldAdded, at: "Deal.currency", .additive) { s in
            deal(&s) { $0.fields.append(Field("currency", .string, required: true, default: "EUR")) }
        },
        SchemaEdit("new required list", .fieldAdded, at: "Deal.labels", .additive) { s in
            deal(&s) { $0.fields.append(Field("labels", .list(.string), required: true)) }
        },
        SchemaEdit("new enum value", .enumValueAdded, at: "enum Stage", .additive) {
            $0.enums[0].values.append("Qualified")
        },
        SchemaEdit("new enum", .enumAdded, at: "enum Priority", .additive) {
            $0.enums.append(EnumType("Priority", ["Low"]))
        },
        SchemaEdit("new block variant", .blockVariantAdded, at: "Block.Quote", .additive) {
            $0.blocks[0].variants.append(BlockType("Quote", [Field("text", .text)]))
        },
        SchemaEdit("new block union", .blockUnionAdded, at: "Section", .additive) {
            $0.blocks.append(BlockUnion("Section", [BlockType("Heading", [Field("title", .string)])]))
        },
        SchemaEdit("new optional block field", .fieldAdded, at: "Block.CallLog.duration", .additive) {
            $0.blocks[0].variants[1].fields.append(Field("duration", .int))
        },
        SchemaEdit("new role", .roleAdded, at: "roles", .additive) { $0.roles.append("Support") },
        SchemaEdit("new action", .actionAdded, at: "Deal.actions", .additive) { s in
            deal(&s) { $0.actions.append(ActionBinding(on: .created, action: "welcome")) }
        },

        // Compatible.
        SchemaEdit("relaxed length", .fieldValidationChanged, at: "Deal.title", .compatible) { s in
            field(&s, "title") { $0.validations = [.length(min: 1, max: 500)] }
        },
        SchemaEdit("removed range", .fieldValidationChanged, at: "Deal.amount", .compatible) { s in
            field(&s, "amount") { $0.validations = [] }
        },
        SchemaEdit("widened oneOf", .fieldValidationChanged, at: "Deal.channel", .compatible) { s in
            field(&s, "channel") { $0.validations = [.oneOf(["web", "phone", "email"])] }
        },
        SchemaEdit("required → optional", .fieldRequirednessChanged, at: "Deal.title", .compatible) { s in
            field(&s, "title") { $0.isRequired = false }
        },
        SchemaEdit("optional → required with a default", .fieldRequirednessChanged, at: "Deal.stage", .compatible) {
            s in
            field(&s, "stage") { $0.isRequired = true }
        },
        SchemaEdit("rename via formerNames", .fieldRenamed, at: "Deal.headline", .compatible) { s in
            field(&s, "title") {
                $0.name = "headline"
                $0.formerNames = ["title"]
            }
        },
        SchemaEdit("int → float", .fieldTypeChanged, at: "Deal.amount", .compatible) { s in
            field(&s, "amount") { $0.type = .float }
        },
        SchemaEdit("string → text", .fieldTypeChanged, at: "Deal.summary", .compatible) { s in
            field(&s, "summary") { $0.type = .text }
        },
        SchemaEdit("email → string", .fieldTypeChanged, at: "Deal.email", .compatible) { s in
            field(&s, "email") { $0.type = .string }
        },
        SchemaEdit("description", .fieldDocumentationChanged, at: "Deal.summary", .compatible) { s in
            field(&s, "summary") { $0.description = "One line" }
        },
        SchemaEdit("PII", .fieldClassificationChanged, at: "Deal.email", .compatible) { s in
            field(&s, "email") { $0.pii = .sensitive }
        },
        SchemaEdit("unique dropped", .fieldUniquenessChanged, at: "Deal.email", .compatible) { s in
            field(&s, "email") { $0.isUnique = false }
        },
        SchemaEdit("index added", .fieldIndexChanged, at: "Deal.summary", .compatible) { s in
            field(&s, "summary") { $0.isIndexed = true }
        },
        SchemaEdit("default", .fieldDefaultChanged, at: "Deal.stage", .compatible) { s in
            field(&s, "stage") { $0.defaultValue = "Won" }
        },
        SchemaEdit("access rule", .accessChanged, at: "Deal.access.update", .compatible) { s in
            deal(&s) { $0.access?.update = .notEqual(.path(["role"]), .literal("Viewer")) }
        },
        SchemaEdit("new access rule", .accessChanged, at: "Deal.access.delete", .compatible) { s in
            deal(&s) { $0.access?.delete = .literal(false) }
        },
        SchemaEdit("action condition", .actionChanged, at: "Deal.actions", .compatible) { s in
            deal(&s) { $0.actions[0].condition = .fieldEquals("stage", "Won") }
        },
        SchemaEdit("action removed", .actionRemoved, at: "Deal.actions", .compatible) { s in
            deal(&s) { $0.actions = [] }
        },
        SchemaEdit("plural", .entityChanged, at: "Deal", .compatible) { s in deal(&s) { $0.pluralName = "DealList" } },
        SchemaEdit("field order", .entityChanged, at: "Deal", .compatible) { s in deal(&s) { $0.fields.reverse() } },
        SchemaEdit("enum description", .enumChanged, at: "enum Stage", .compatible) {
            $0.enums[0].description = "Pipeline"
        },

        // Breaking.
        SchemaEdit("removed entity", .entityRemoved, at: "Company", .breaking) { s in
            s.entities.removeAll { $0.name == "Company" }
            deal(&s) { $0.fields.removeAll { $0.name == "company" } }
        },
        SchemaEdit("removed field", .fieldRemoved, at: "Deal.summary", .breaking) { s in
            deal(&s) { $0.fields.removeAll { $0.name == "summary" } }
        },
        SchemaEdit("removed enum value", .enumValueRemoved, at: "enum Stage", .breaking) {
            $0.enums[0].values.removeLast()
        },
        SchemaEdit("removed variant", .blockVariantRemoved, at: "Block.CallLog", .breaking) {
            $0.blocks[0].variants.removeLast()
        },
        SchemaEdit("removed role", .roleRemoved, at: "roles", .breaking) { $0.roles.removeLast() },
        SchemaEdit("new required field without a default", .fieldAdded, at: "Deal.owner", .breaking) { s in
            deal(&s) { $0.fields.append(Field("owner", .string, required: true)) }
        },
        SchemaEdit("new required block field", .fieldAdded, at: "Block.Paragraph.style", .breaking) {
            $0.blocks[0].variants[0].fields.append(Field("style", .string, required: true))
        },
        SchemaEdit("string → int", .fieldTypeChanged, at: "Deal.summary", .breaking) { s in
            field(&s, "summary") { $0.type = .int }
        },
        SchemaEdit("int → bool", .fieldTypeChanged, at: "Deal.amount", .breaking) { s in
            field(&s, "amount") {
                $0.type = .bool
                $0.validations = []
            }
        },
        SchemaEdit("reference target", .fieldTypeChanged, at: "Deal.company", .breaking) { s in
            field(&s, "company") { $0.type = .reference("Deal") }
        },
        SchemaEdit("optional → required without default", .fieldRequirednessChanged, at: "Deal.summary", .breaking) {
            s in
            field(&s, "summary") { $0.isRequired = true }
        },
        SchemaEdit("new unique", .fieldUniquenessChanged, at: "Deal.code", .breaking) { s in
            field(&s, "code") { $0.isUnique = true }
        },
        SchemaEdit("tightened length", .fieldValidationChanged, at: "Deal.title", .breaking) { s in
            field(&s, "title") { $0.validations = [.length(min: 3, max: 200)] }
        },
        SchemaEdit("tightened range", .fieldValidationChanged, at: "Deal.amount", .breaking) { s in
            field(&s, "amount") { $0.validations = [.range(min: 0, max: 1000)] }
        },
        SchemaEdit("changed pattern", .fieldValidationChanged, at: "Deal.code", .breaking) { s in
            field(&s, "code") { $0.validations = [.pattern("^[A-Z]{3}$")] }
        },
        SchemaEdit("new validation", .fieldValidationChanged, at: "Deal.summary", .breaking) { s in
            field(&s, "summary") { $0.validations = [.length(min: nil, max: 80)] }
        },
        SchemaEdit("narrowed oneOf", .fieldValidationChanged, at: "Deal.channel", .breaking) { s in
            field(&s, "channel") { $0.validations = [.oneOf(["web"])] }
        },
        SchemaEdit("removed enum", .enumRemoved, at: "enum Stage", .breaking) { s in
            s.enums = []
            field(&s, "stage") {
                $0.type = .string
                $0.defaultValue = nil
            }
        },
    ]

    @Test func baseIsValid() throws {
        try Self.base.validate()
        #expect(SchemaDiff(from: Self.base, to: Self.base).isEmpty)
        #expect(SchemaDiff(from: Self.base, to: Self.base).isAdditiveOnly)
    }

    @Test(arguments: edits)
    func everyEditIsClassified(_ edit: SchemaEdit) throws {
        var new = Self.base
        edit.edit(&new)
        try new.validate()
        let diff = SchemaDiff(from: Self.base, to: new)
        let match = diff.changes.first { $0.kind == edit.kind && $0.location == edit.location }
        #expect(match?.classification == edit.classification, "\(diff.changes)")
        #expect(diff.classification == edit.classification, "\(diff.changes)")
        #expect(diff.isAdditiveOnly == (edit.classification == .additive))
        #expect(diff.hasBreakingChanges == (edit.classification == .breaking))
    }

    @Test func renamesAreListedForUpcasters() {
        var new = Self.base
        Self.field(&new, "title") {
            $0.name = "headline"
            $0.formerNames = ["title"]
        }
        new.blocks[0].variants[1].fields[1].name = "note"
        new.blocks[0].variants[1].fields[1].formerNames = ["summary"]
        let diff = SchemaDiff(from: Self.base, to: new)
        #expect(
            diff.renamedFields == [
                FieldRename(entity: "Block.CallLog", from: "summary", to: "note"),
                FieldRename(entity: "Deal", from: "title", to: "headline"),
            ])
        #expect(diff.changes.count == 2, "\(diff.changes)")
        #expect(!diff.hasBreakingChanges && !diff.isAdditiveOnly)
    }

    @Test func aFormerNameStillInUseIsNotARename() {
        var new = Self.base
        Self.deal(&new) { $0.fields.append(Field("headline", .string, formerNames: ["title"])) }
        let diff = SchemaDiff(from: Self.base, to: new)
        #expect(diff.renamedFields.isEmpty)
        #expect(diff.changes.map(\.kind) == [.fieldAdded])
    }

    @Test func severalChangesTakeTheWorstClassification() {
        var new = Self.base
        new.roles.append("Support")
        Self.field(&new, "summary") { $0.description = "Changed" }
        Self.deal(&new) { $0.fields.removeAll { $0.name == "tags" } }
        let diff = SchemaDiff(from: Self.base, to: new)
        #expect(diff.changes.map(\.classification).sorted() == [.additive, .compatible, .breaking])
        #expect(diff.classification == .breaking)
        #expect(diff.changes.map(\.description).contains("breaking: Deal.tags: the field was removed"))
    }
}
