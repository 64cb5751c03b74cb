import AtomoSchema
import GraphQL
import OrderedCollections
import Testing

@testable import AtomoGraphQL

@Suite struct RoleSchemaTests {
    static func fieldNames(_ schema: RoleSchema, _ type: String) throws -> [String] {
        guard let object = schema.graphQLSchema.getType(name: type) as? GraphQLObjectType else { return [] }
        return Array(try object.fields().keys)
    }

    @Test(arguments: CRMFixture.designRoles)
    func eachRoleReadsExactlyTheFieldsTheRuleAllows(role: String) throws {
        let schema = try RoleSchemaBuilder(view: SchemaView(schema: CRMFixture.schema(), audience: .role(role))).build()
        let system = ["version", "createdAt", "updatedAt", "createdBy", "updatedBy"]
        let allowed = role != "Viewer" ? ["id", "name"] : ["id", "name", "email", "company"]
        // `deals` is the reverse of Deal.contact (Deal has no rules).
        #expect(try Self.fieldNames(schema, "Contact") == allowed + system + ["deals"])
        // Company has no rules: every field, and `contacts` only where Contact.company is readable.
        let companyFields = try Self.fieldNames(schema, "Company")
        #expect(companyFields.starts(with: ["id", "name", "industry"] + system))
        #expect(companyFields.contains("contacts") == (role == "Viewer"))
        #expect(companyFields.contains("deals"))
        // Filters and orderings offer only readable fields.
        let whereType = try #require(schema.graphQLSchema.getType(name: "ContactWhere") as? GraphQLInputObjectType)
        #expect(try whereType.fields().keys.contains("email") == (role == "Viewer"))
        // Mutations a role may never perform are absent; others are present.
        let mutations = try Self.fieldNames(schema, "Mutation")
        #expect(mutations.contains("updateContact") == (role == "Admin" || role == "Manager"))
        #expect(mutations.contains("createContact"))
        #expect(mutations.contains("deleteContact"))
    }

    @Test func namesFollowTheIssueContract() throws {
        let schema = try RoleSchemaBuilder(
            view: SchemaView(schema: CRMFixture.schema(contactAccess: nil), audience: .system)
        )
        .build()
        let query = try Self.fieldNames(schema, "Query")
        for name in ["contact", "contacts", "contactsAggregate", "contactHistory", "companies", "company", "deals"] {
            #expect(query.contains(name), "Query.\(name)")
        }
        #expect(
            try Self.fieldNames(schema, "Subscription") == [
                "companyChanged", "companiesChanged", "contactChanged", "contactsChanged", "dealChanged",
                "dealsChanged", "events",
            ])
        #expect(try Self.fieldNames(schema, "Contact").contains("notes"))
        #expect(try Self.fieldNames(schema, "Company").contains("contacts"))
        #expect(try Self.fieldNames(schema, "ContactConnection") == ["edges", "nodes", "pageInfo", "totalCount"])
        let union = try #require(schema.graphQLSchema.getType(name: "Block") as? GraphQLUnionType)
        #expect(try union.types().map(\.name) == ["Paragraph", "CallLog"])
        let blockInput = try #require(schema.graphQLSchema.getType(name: "BlockInput") as? GraphQLInputObjectType)
        #expect(blockInput.isOneOf)
        #expect(try Array(blockInput.fields().keys) == ["paragraph", "callLog"])
        #expect(schema.graphQLSchema.getType(name: "DateTime") != nil)
        #expect(schema.graphQLSchema.getType(name: "JSON") != nil)
        for filter in ["StringFilter", "FloatFilter", "StageFilter", "IDFilter", "DateTimeFilter"] {
            #expect(schema.graphQLSchema.getType(name: filter) != nil, "\(filter)")
        }
        let stringFilter = try #require(schema.graphQLSchema.getType(name: "StringFilter") as? GraphQLInputObjectType)
        #expect(
            try Array(stringFilter.fields().keys) == [
                "eq", "ne", "in", "notIn", "lt", "lte", "gt", "gte", "contains", "startsWith", "isNull",
            ])
        let aggregate = try Self.fieldNames(schema, "DealAggregate")
        #expect(aggregate == ["count", "min", "max", "sum", "avg"])
    }

    @Test func aRuleThatReadsTheRecordKeepsEveryFieldNullable() throws {
        let access = EntityAccess(
            read: .conditional(
                .equal(.path(["record", "email"]), .literal(.null)), .literal(["id", "name"]), .literal(true)))
        let schema = try RoleSchemaBuilder(
            view: SchemaView(schema: CRMFixture.schema(contactAccess: access), audience: .role("Sales"))
        ).build()
        let contact = try #require(schema.graphQLSchema.getType(name: "Contact") as? GraphQLObjectType)
        let fields = try contact.fields()
        #expect(fields.keys.contains("email"))
        #expect(!(try #require(fields["name"]).type is GraphQLNonNull))
    }

    @Test func anEntityARoleCannotReadIsAbsentWithItsReferences() throws {
        var schema = CRMFixture.schema()
        schema.entities[0].access = EntityAccess(read: .equal(.path(["role"]), .literal("Admin")))
        let sales = try RoleSchemaBuilder(view: SchemaView(schema: schema, audience: .role("Sales"))).build()
        #expect(sales.graphQLSchema.getType(name: "Company") == nil)
        #expect(!(try Self.fieldNames(sales, "Deal")).contains("company"))
        #expect(!(try Self.fieldNames(sales, "Query")).contains("companies"))
        let admin = try RoleSchemaBuilder(view: SchemaView(schema: schema, audience: .role("Admin"))).build()
        #expect(try Self.fieldNames(admin, "Deal").contains("company"))
    }

    @Test func severalRolesReadTheUnion() throws {
        let schema = try RoleSchemaBuilder(
            view: SchemaView(schema: CRMFixture.schema(), audience: SchemaAudience(roles: ["Sales", "Viewer"]))
        ).build()
        #expect(try Self.fieldNames(schema, "Contact").contains("email"))
    }

    @Test func theRegistryCachesPerAudienceAndSwapsOnReplace() throws {
        let registry = GraphQLSchemaRegistry(schema: CRMFixture.schema())
        let first = try registry.schema(for: .role("Sales"))
        let again = try registry.schema(for: Principal(userID: "u", roles: ["Sales"]))
        #expect(first.graphQLSchema === again.graphQLSchema)
        var changed = CRMFixture.schema()
        changed.entities.append(Entity("Task", fields: [Field("title", .string)]))
        try registry.replace(schema: changed)
        let reloaded = try registry.schema(for: .role("Sales"))
        #expect(reloaded.graphQLSchema !== first.graphQLSchema)
        #expect(try Self.fieldNames(reloaded, "Query").contains("tasks"))
        #expect(reloaded.fingerprint == changed.fingerprint)
        #expect(registry.generation == 1)
    }

    @Test func aSchemaGraphQLCannotExpressIsRejectedAndTheOldOneStays() throws {
        let registry = GraphQLSchemaRegistry(schema: CRMFixture.schema())
        var broken = CRMFixture.schema()
        broken.enums[0].values.append("Closed Won")
        #expect(throws: GraphQLSchemaBuildError.self) { try registry.replace(schema: broken) }
        #expect(registry.schema == CRMFixture.schema())
    }
}
