import AtomoSchema

/// The original design's CRM schema: companies, contacts (with the design's access rule, evaluated
/// exactly as written), deals with a stage enum and notes as blocks.
enum CRMFixture {
    /// `read: ({ role }) => role !== 'Viewer' ? ['id','name'] : ['id','name','email','company']`,
    /// `update: ({ role }) => role === 'Admin' || role === 'Manager'`.
    static let contactAccess = EntityAccess(
        read: .conditional(
            .notEqual(.path(["role"]), .literal("Viewer")), .literal(["id", "name"]),
            .array([.literal("id"), .literal("name"), .literal("email"), .literal("company")])),
        update: .or(.equal(.path(["role"]), .literal("Admin")), .equal(.path(["role"]), .literal("Manager"))))

    static let blocks = BlockUnion(
        "Block",
        [
            BlockType("Paragraph", [Field("text", .text, required: true)]),
            BlockType("CallLog", [Field("at", .datetime, required: true), Field("summary", .string, required: true)]),
        ])

    static func schema(contactAccess: EntityAccess? = CRMFixture.contactAccess) -> Schema {
        Schema(
            enums: [EnumType("Stage", ["Lead", "Qualified", "Won", "Lost"])],
            blocks: [blocks],
            entities: [
                Entity("Company", fields: [Field("name", .string, required: true), Field("industry", .string)]),
                Entity(
                    "Contact",
                    fields: [
                        Field("name", .string, required: true), Field("email", .email, unique: true, pii: .personal),
                        Field("company", .reference("Company")), Field("notes", .blocks("Block")),
                        Field("tags", .list(.string)),
                    ],
                    access: contactAccess),
                Entity(
                    "Deal",
                    fields: [
                        Field("title", .string, required: true), Field("stage", .enumeration("Stage"), default: "Lead"),
                        Field("amount", .float), Field("contact", .reference("Contact")),
                        Field("company", .reference("Company")),
                    ]),
            ])
    }

    static let designRoles = Schema.defaultRoles
}
