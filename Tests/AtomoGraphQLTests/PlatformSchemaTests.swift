import AtomoAuth
import AtomoContent
import AtomoEvents
import AtomoSchema
import Foundation
import Testing

@testable import AtomoGraphQL

@Suite(.serialized) struct PlatformSchemaTests {
    struct Platform {
        let harness: GraphQLHarness
        let auth: Authenticator
        let service: GraphQLService
    }

    static func make(executor: GraphQLExecutorKind = .planned) async throws -> Platform {
        let schema = CRMFixture.schema()
        let harness = try await GraphQLHarness.started(schema, policy: PolicyEngine(schema: schema))
        let credentials = SQLCredentialStore(database: harness.store.database)
        try await credentials.migrate()
        let tokens = await TokenService(
            configuration: .init(key: .generateHS256(), issuer: "https://atomo.test", audience: "crm"))
        let auth = try await Authenticator(
            events: harness.store, credentials: credentials, sessions: InMemorySessionStore(), tokens: tokens,
            hasher: try PasswordHasher(
                configuration: .init(parameters: Argon2Parameters(memoryKiB: 1024, iterations: 1, parallelism: 1))))
        let service = GraphQLService(engine: harness.engine, authenticator: auth, executor: executor)
        return Platform(harness: harness, auth: auth, service: service)
    }

    static func run(
        _ service: GraphQLService, _ query: String, as principal: Principal, variables: [String: JSONValue] = [:]
    )
        async throws -> JSONValue
    {
        try GraphQLHarness.json(
            await service.execute(GraphQLRequest(query: query, variables: variables), as: principal).body)
    }

    @Test(arguments: [GraphQLExecutorKind.planned, .reference])
    func adminsManageUsersAndOthersSeeOnlyThemselves(executor: GraphQLExecutorKind) async throws {
        let platform = try await Self.make(executor: executor)
        defer { Task { await platform.harness.close() } }
        let admin = Principal(userID: "root", roles: ["Admin"])
        let created = try await Self.run(
            platform.service,
            "mutation($input: CreateUserInput!) { createUser(input: $input) { id email roles disabled } }", as: admin,
            variables: [
                "input": ["email": "ada@example.com", "password": "correct horse battery staple", "roles": ["Sales"]]
            ])
        let id = try #require(created["data"]?["createUser"]?["id"]?.stringValue, "\(created)")
        #expect(created["data"]?["createUser"]?["roles"] == ["Sales"])

        let weak = try await Self.run(
            platform.service,
            "mutation { createUser(input: { email: \"bo@example.com\", password: \"short\", roles: [Viewer] }) { id } }",
            as: admin)
        #expect(weak.firstErrorCode == "BAD_USER_INPUT")
        let taken = try await Self.run(
            platform.service,
            "mutation { createUser(input: { email: \"ada@example.com\", password: \"correct horse battery staple\", roles: [Viewer] }) { id } }",
            as: admin)
        #expect(taken.firstErrorCode == "CONFLICT")

        let updated = try await Self.run(
            platform.service,
            "mutation { updateUser(id: \"\(id)\", input: { roles: [Manager, Viewer], disabled: true }) { roles disabled } }",
            as: admin)
        #expect(updated["data"]?["updateUser"] == ["roles": ["Manager", "Viewer"], "disabled": true])
        let users = try await Self.run(platform.service, "{ users { email roles } }", as: admin)
        #expect(users["data"]?["users"] == [["email": "ada@example.com", "roles": ["Manager", "Viewer"]]])

        // A Sales user's schema has no user management and no event log; `me` is there.
        let sales = Principal(userID: id, email: "ada@example.com", roles: ["Sales"])
        let forbidden = try await Self.run(platform.service, "{ users { id } }", as: sales)
        #expect(forbidden.firstErrorCode == "GRAPHQL_VALIDATION_FAILED")
        #expect(
            try await Self.run(platform.service, "{ events { type } }", as: sales).firstErrorCode
                == "GRAPHQL_VALIDATION_FAILED")
        let me = try await Self.run(platform.service, "{ me { id email } }", as: sales)
        #expect(me["data"]?["me"] == ["id": .string(id), "email": "ada@example.com"])
        let anonymous = try await Self.run(platform.service, "{ me { id } }", as: .anonymous)
        #expect(anonymous["data"]?["me"] == .null)
    }

    @Test func sessionsAuditLogAndTheEventLog() async throws {
        let platform = try await Self.make()
        defer { Task { await platform.harness.close() } }
        let user = try await platform.auth.register(
            email: "cy@example.com", password: "correct horse battery staple", roles: ["Viewer"], as: .system)
        _ = try await platform.auth.login(
            email: "cy@example.com", password: "correct horse battery staple", clientAddress: "203.0.113.9")
        let viewer = Principal(userID: user.id, email: "cy@example.com", roles: ["Viewer"])
        let sessions = try await Self.run(platform.service, "{ sessions { userID clientAddress endedAt } }", as: viewer)
        #expect(
            sessions["data"]?["sessions"] == [
                ["userID": .string(user.id), "clientAddress": "203.0.113.9", "endedAt": .null]
            ])
        let others = try await Self.run(platform.service, "{ sessions(userID: \"someone\") { id } }", as: viewer)
        #expect(others.firstErrorCode == "FORBIDDEN")

        let contact = try await platform.harness.engine.create(
            "Contact", ["name": "Ada", "email": "ada@example.com"], as: .system)
        let audit = try await Self.run(
            platform.service,
            "{ auditLog(where: { entities: [\"Contact\"] }) { entity id kind version actor fields } }",
            as: Principal(userID: "root", roles: ["Admin"]))
        let entry = audit["data"]?["auditLog"]?.arrayValue?.first
        #expect(entry?["id"]?.stringValue == contact.id, "\(audit)")
        #expect(entry?["kind"] == "CREATED")

        let events = try await Self.run(
            platform.service, "{ events(types: [\"ContactCreated\"]) { type stream version data } }",
            as: Principal(userID: "root", roles: ["Admin"]))
        #expect(
            events["data"]?["events"]?.arrayValue?.map { $0["stream"] } == [.string("Contact-\(contact.id)")],
            "\(events)")
    }

    @Test func theEventsSubscriptionFollowsTheLogForAdmins() async throws {
        let platform = try await Self.make()
        defer { Task { await platform.harness.close() } }
        let start = await platform.service.subscribe(
            GraphQLRequest(query: "subscription { events(types: [\"CompanyCreated\"]) { type stream } }"),
            as: Principal(userID: "root", roles: ["Admin"]))
        let (task, collected) = try SubscriptionTests.collect(start)
        _ = try await platform.harness.engine.create("Contact", ["name": "Ada"], as: .system)
        let company = try await platform.harness.engine.create("Company", ["name": "Acme"], as: .system)
        await SubscriptionTests.waitUntil { collected.values.count >= 1 }
        try? await Task.sleep(for: .milliseconds(100))
        task.cancel()
        #expect(collected.values.map { $0["data"]?["events"]?["stream"] } == [.string("Company-\(company.id)")])
    }
}
