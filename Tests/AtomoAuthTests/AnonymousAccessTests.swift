import AtomoAuth
import AtomoSchema
import Testing

/// Deny by default for callers without a token: an entity without rules is open to authenticated
/// users only, and a rule grants the anonymous caller something only by naming it.
@Suite("Anonymous access") struct AnonymousAccessTests {
    static let source = """
        export type Role = 'Admin' | 'Viewer'
        export interface Company { id: string; name: string }
        export interface Article { id: string; title: string; draft?: string }
        export interface Note { id: string; text: string }
        export const access = {
          Article: {
            read: ({ role }: { role: Role }) => role === 'anonymous' ? ['id', 'title'] : true,
            create: ({ role }: { role: Role }) => role === 'Admin',
          },
          Note: {
            read: ({ role }: { role: Role }) => role !== 'Viewer',
            create: ({ role }: { role: Role }) => role !== 'Viewer',
          },
        }
        """

    static func policy() throws -> PolicyEngine {
        PolicyEngine(schema: try SchemaImporter.importSchema(source: source))
    }

    static func allows(
        _ policy: PolicyEngine, _ principal: Principal, _ operation: AccessOperation, _ entity: String
    ) throws -> Bool {
        let entity = try #require(policy.schema.entity(entity))
        return policy.decide(AccessRequest(principal: principal, operation: operation, entity: entity)).isAllowed
    }

    @Test("an entity without rules is closed to anonymous callers and open to users")
    func noRulesMeansUsersOnly() throws {
        let policy = try Self.policy()
        let viewer = Principal(userID: "u-1", roles: ["Viewer"])
        for operation in AccessOperation.allCases {
            #expect(try !Self.allows(policy, .anonymous, operation, "Company"), "\(operation)")
            #expect(try Self.allows(policy, viewer, operation, "Company"), "\(operation)")
        }
    }

    @Test("a rule that names 'anonymous' grants it exactly what it evaluates to")
    func namingGrants() throws {
        let policy = try Self.policy()
        #expect(try Self.allows(policy, .anonymous, .read, "Article"))
        let article = try #require(policy.schema.entity("Article"))
        let readable = policy.readableFields(of: article, record: nil, for: .anonymous)
        #expect(readable.contains("title"))
        #expect(!readable.contains("draft"))
        // No create rule naming anonymous, so no create; update and delete have no rule at all.
        for operation in [AccessOperation.create, .update, .delete, .restore] {
            #expect(try !Self.allows(policy, .anonymous, operation, "Article"), "\(operation)")
        }
    }

    @Test("a rule that does not name 'anonymous' never includes it, however it evaluates")
    func negativeRulesDoNotInclude() throws {
        let policy = try Self.policy()
        // `role !== 'Viewer'` is true for a null role and for the string 'anonymous' alike.
        #expect(try !Self.allows(policy, .anonymous, .read, "Note"))
        #expect(try !Self.allows(policy, .anonymous, .create, "Note"))
        #expect(try Self.allows(policy, Principal(userID: "u-2", roles: ["Admin"]), .create, "Note"))
    }

    @Test("no capability for anonymous callers")
    func noCapabilities() throws {
        let policy = try Self.policy()
        for capability in [PlatformCapability.manageUsers, .readEventLog, .readAudit] {
            #expect(!policy.decide(capability, for: .anonymous).isAllowed)
        }
    }

    @Test("'anonymous' is reserved: a schema cannot declare it as a role")
    func reservedRoleName() throws {
        #expect(throws: (any Error).self) {
            try SchemaImporter.importSchema(source: "export type Role = 'Admin' | 'anonymous'\nexport interface A { id: string }")
        }
        var schema = try SchemaImporter.importSchema(source: Self.source)
        schema.roles.append("anonymous")
        #expect(throws: SchemaError.self) { try schema.validate() }
    }

    @Test("the access matrix lists every entity for each role and for anonymous")
    func accessMatrix() throws {
        let matrix = try Self.policy().accessMatrix()
        #expect(matrix.rows.count == 3 * 3)
        #expect(matrix.cell(entity: "Company", role: "anonymous", operation: .read) == .denied)
        #expect(matrix.cell(entity: "Company", role: "Viewer", operation: .delete) == .allowed)
        #expect(matrix.cell(entity: "Article", role: "anonymous", operation: .read) == .fields(["title"]))
        #expect(matrix.cell(entity: "Article", role: "Viewer", operation: .create) == .denied)
        #expect(matrix.cell(entity: "Note", role: "Viewer", operation: .read) == .denied)
        #expect(matrix.cell(entity: "Note", role: "anonymous", operation: .create) == .denied)
        let text = matrix.description
        #expect(text.hasPrefix("entity"))
        #expect(text.split(separator: "\n").count == 1 + 9)
    }
}
