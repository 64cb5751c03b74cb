import AtomoAuth
import AtomoSchema
import Testing

/// The CRM schema of `services/crm-service/schema.ts`, built with AtomoSchema's Swift API.
enum CRMSchema {
    static func role(_ name: String) -> AccessExpression { .equal(.path(["role"]), .literal(.string(name))) }

    static let contactAccess = EntityAccess(
        // role === 'Viewer' ? ['id', 'name'] : ['id', 'name', 'email', 'company', 'notes']
        read: .conditional(
            role("Viewer"), .array([.literal("id"), .literal("name")]),
            .array([.literal("id"), .literal("name"), .literal("email"), .literal("company"), .literal("notes")])),
        create: .or(.or(role("Admin"), role("Manager")), role("Sales")),
        update: .or(role("Admin"), role("Manager")),
        delete: role("Admin"))

    static let schema = Schema(
        roles: Schema.defaultRoles,
        blocks: [
            BlockUnion(
                "Block",
                [
                    BlockType("Paragraph", [Field("text", .text, required: true)]),
                    BlockType(
                        "CallLog", [Field("at", .datetime, required: true), Field("summary", .string, required: true)]),
                ])
        ],
        entities: [
            Entity(
                "Company",
                fields: [Field("name", .string, required: true), Field("industry", .string), Field("website", .url)]),
            Entity(
                "Contact",
                fields: [
                    Field("name", .string, required: true, pii: .personal),
                    Field("email", .email, unique: true, pii: .personal),
                    Field("company", .reference("Company")), Field("notes", .blocks("Block")),
                ],
                access: contactAccess),
        ])

    static var contact: Entity { schema.entities[1] }
    static var company: Entity { schema.entities[0] }
}

/// One row of the policy table: what a role may do with a Contact, per the CRM rules.
struct ContactRule: CustomTestStringConvertible, Sendable {
    let role: String
    let operation: AccessOperation
    let allowed: Bool
    var testDescription: String { "\(role) \(operation.rawValue) → \(allowed ? "allow" : "deny")" }
}

@Suite("Policy engine")
struct PolicyEngineTests {
    let policy = PolicyEngine(schema: CRMSchema.schema)
    let stored: JSONValue = ["id": "c1", "name": "Ada", "email": "ada@example.com", "company": "co1", "notes": []]

    /// Every role × every operation on Contact: the CRM schema's rules as a table.
    static let table: [ContactRule] = {
        let allowed: [String: Set<AccessOperation>] = [
            "Admin": [.read, .create, .update, .delete, .restore],
            "Manager": [.read, .create, .update],
            "Sales": [.read, .create],
            "Support": [.read],
            "Viewer": [.read],
        ]
        return Schema.defaultRoles.flatMap { role in
            AccessOperation.allCases.map { operation in
                ContactRule(role: role, operation: operation, allowed: allowed[role, default: []].contains(operation))
            }
        }
    }()

    @Test("the schema is valid")
    func schemaIsValid() throws { try CRMSchema.schema.validate() }

    @Test("Contact: every role and every operation", arguments: table)
    func contactTable(rule: ContactRule) {
        let principal = Principal(userID: "u-\(rule.role)", roles: [rule.role])
        // Writes touch only fields every role that may write can read.
        let changed: Set<String> = rule.operation == .create || rule.operation == .update ? ["name"] : []
        let decision = policy.decide(
            AccessRequest(
                principal: principal, operation: rule.operation, entity: CRMSchema.contact, record: stored,
                changedFields: changed))
        #expect(decision.isAllowed == rule.allowed, "\(decision)")
        if case .deny(let reason) = decision {
            #expect(
                reason.contains(rule.role) && reason.contains("Contact"),
                "the reason names the role and entity: \(reason)")
        }
    }

    @Test("Contact: readable fields per role", arguments: Schema.defaultRoles)
    func readable(role: String) {
        let fields = policy.readableFields(
            of: CRMSchema.contact, record: stored, for: Principal(userID: "u", roles: [role]))
        let declared = fields.subtracting(Entity.systemFieldNames)
        if role == "Viewer" {
            #expect(declared == ["name"])
        } else {
            #expect(declared == ["name", "email", "company", "notes"])
        }
        #expect(fields.contains("id") && fields.isSuperset(of: Entity.systemFieldNames))
        #expect(
            policy.readableFields(of: CRMSchema.contact, record: nil, for: Principal(userID: "u", roles: [role]))
                == fields)
    }

    @Test("an entity without rules allows every role everything")
    func noRules() {
        for role in Schema.defaultRoles {
            for operation in AccessOperation.allCases {
                #expect(
                    policy.decide(
                        AccessRequest(
                            principal: Principal(userID: "u", roles: [role]), operation: operation,
                            entity: CRMSchema.company, record: ["id": "co1", "name": "Acme"])
                    ).isAllowed)
            }
        }
    }

    @Test("a write may not touch fields the role cannot read, system fields or undeclared fields")
    func changedFields() {
        func update(
            _ fields: Set<String>, as principal: Principal = Principal(userID: "m", roles: ["Manager"])
        ) -> AccessDecision {
            policy.decide(
                AccessRequest(
                    principal: principal, operation: .update, entity: CRMSchema.contact, record: stored,
                    changedFields: fields))
        }
        #expect(update(["email", "notes"]) == .allow)
        #expect(update(["version"]) == .deny(reason: "version is a system field of Contact and cannot be written"))
        #expect(update(["salary"]) == .deny(reason: "Contact has no field salary"))
        // A schema where Sales may update but reads only the name: writing the email is refused.
        var schema = CRMSchema.schema
        schema.entities[1].access = EntityAccess(
            read: .conditional(CRMSchema.role("Sales"), .array([.literal("name")]), .literal(true)),
            update: .or(CRMSchema.role("Sales"), CRMSchema.role("Admin")))
        let restricted = PolicyEngine(schema: schema)
        let sales = Principal(userID: "s", roles: ["Sales"])
        let request = AccessRequest(
            principal: sales, operation: .update, entity: schema.entities[1], record: stored,
            changedFields: ["name", "email"])
        #expect(
            restricted.decide(request)
                == .deny(reason: "roles Sales may update Contact but not write email, which it may not read"))
        var nameOnly = request
        nameOnly.changedFields = ["name"]
        #expect(restricted.decide(nameOnly) == .allow)
    }

    @Test("several roles: allowed what any allows, reading the union")
    func severalRoles() {
        let principal = Principal(userID: "u", roles: ["Viewer", "Sales"])
        #expect(
            policy.decide(
                AccessRequest(
                    principal: principal, operation: .create, entity: CRMSchema.contact,
                    changedFields: ["name", "email"])
            ).isAllowed)
        #expect(
            policy.readableFields(of: CRMSchema.contact, record: stored, for: principal).isSuperset(of: [
                "email", "notes",
            ]))
        #expect(
            !policy.decide(
                AccessRequest(principal: principal, operation: .delete, entity: CRMSchema.contact, record: stored)
            ).isAllowed)
    }

    @Test("anonymous principals, unknown roles and the system principal")
    func specialPrincipals() {
        for principal in [Principal.anonymous, Principal(userID: "u", roles: ["Owner"])] {
            for operation in AccessOperation.allCases {
                #expect(
                    !policy.decide(
                        AccessRequest(
                            principal: principal, operation: operation, entity: CRMSchema.contact,
                            record: stored)
                    ).isAllowed, "\(principal.roles) \(operation)")
            }
            #expect(policy.readableFields(of: CRMSchema.contact, record: stored, for: principal).isEmpty)
        }
        // Entities without rules are open to every authenticated principal, and to nobody else.
        #expect(
            policy.decide(
                AccessRequest(principal: Principal(userID: "u", roles: ["Owner"]), operation: .read, entity: CRMSchema.company)
            ).isAllowed)
        for operation in AccessOperation.allCases {
            #expect(
                !policy.decide(AccessRequest(principal: .anonymous, operation: operation, entity: CRMSchema.company))
                    .isAllowed, "anonymous \(operation)")
        }
        #expect(policy.readableFields(of: CRMSchema.company, record: nil, for: .anonymous).isEmpty)
        #expect(
            policy.decide(
                AccessRequest(principal: .system, operation: .delete, entity: CRMSchema.contact, record: stored))
                == .allow)
        #expect(
            policy.readableFields(of: CRMSchema.contact, record: stored, for: .system).isSuperset(of: [
                "email", "notes", "id",
            ]))
    }

    @Test("rules on the record and the user: owners may update their own deals")
    func recordRules() throws {
        // update: role === 'Admin' || record.owner === user.id
        let deal = Entity(
            "Deal", fields: [Field("title", .string, required: true), Field("owner", .string)],
            access: EntityAccess(
                update: .or(CRMSchema.role("Admin"), .equal(.path(["record", "owner"]), .path(["user", "id"])))))
        let schema = Schema(entities: [deal])
        try schema.validate()
        let engine = PolicyEngine(schema: schema)
        let record: JSONValue = ["id": "d1", "title": "Big", "owner": "u-7"]
        func may(_ principal: Principal) -> Bool {
            engine.decide(
                AccessRequest(
                    principal: principal, operation: .update, entity: deal, record: record, changedFields: ["title"])
            ).isAllowed
        }
        #expect(may(Principal(userID: "u-7", roles: ["Sales"])))
        #expect(!may(Principal(userID: "u-8", roles: ["Sales"])))
        #expect(may(Principal(userID: "u-8", roles: ["Admin"])))
    }

    @Test("a principal from a verified token is evaluated like any other")
    func fromAuthentication() async throws {
        let fixture = try await AuthFixture.make()
        try await fixture.auth.register(
            email: "sam@example.com", password: goodPassword, roles: ["Support"], as: .system)
        let login = try await fixture.auth.login(email: "sam@example.com", password: goodPassword)
        let principal = try await fixture.auth.authenticate(login.accessToken).principal
        #expect(
            policy.decide(
                AccessRequest(principal: principal, operation: .read, entity: CRMSchema.contact, record: stored))
                == .allow)
        #expect(
            !policy.decide(
                AccessRequest(
                    principal: principal, operation: .update, entity: CRMSchema.contact, record: stored,
                    changedFields: ["name"])
            ).isAllowed)
    }
}
