import AtomoAuth
import AtomoEvents
import AtomoSchema
import Foundation
import Testing

@Suite("Platform capabilities through the policy engine")
struct CapabilityPolicyTests {
    /// Managers are granted everything but user management explicitly; Support only the action.
    static let schema = Schema(
        entities: [Entity("Contact", fields: [Field("name", .string)])],
        capabilities: [
            "Manager": [
                .readEventLog, .readAudit, .operateProjections, .runAction("scoreDeal"), .operateJobs, .readMetrics,
                .manageUsers,
            ],
            "Support": [.runAction("scoreDeal")],
        ])

    static let every: [PlatformCapability] = PlatformCapability.named + [.runAction("scoreDeal")]

    @Test(
        "each capability: a role without it is refused with the reason, a role granted it in the schema is allowed",
        arguments: every)
    func eachCapability(_ capability: PlatformCapability) {
        let policy = PolicyEngine(schema: Self.schema)
        #expect(policy.decide(capability, for: Principal(userID: "m", roles: ["Manager"])) == .allow)
        #expect(policy.decide(capability, for: Principal(userID: "a", roles: ["Admin"])) == .allow, "first role")
        let viewer = policy.decide(capability, for: Principal(userID: "v", roles: ["Viewer"]))
        #expect(viewer == .deny(reason: "roles Viewer do not hold the capability \(capability.name)"))
        #expect(!policy.decide(capability, for: .anonymous).isAllowed)
        #expect(!policy.decide(capability, for: Principal(userID: "x", roles: ["Owner"])).isAllowed, "undeclared role")
        #expect(policy.decide(capability, for: .system) == .allow)
        #expect(policy.decide(capability, for: Principal(userID: "vm", roles: ["Viewer", "Manager"])) == .allow)
    }

    @Test("an action capability names one action")
    func actionsAreNamed() {
        let policy = PolicyEngine(schema: Self.schema)
        let support = Principal(userID: "s", roles: ["Support"])
        #expect(policy.decide(.runAction("scoreDeal"), for: support) == .allow)
        #expect(!policy.decide(.runAction("sendWelcome"), for: support).isAllowed)
        #expect(!policy.decide(.readAudit, for: support).isAllowed)
    }

    @Test("a reloaded schema's grants apply at once to everyone holding the engine")
    func reload() {
        let policy = PolicyEngine(schema: Self.schema)
        let sales = Principal(userID: "s", roles: ["Sales"])
        #expect(!policy.decide(.readMetrics, for: sales).isAllowed)
        var edited = Self.schema
        edited.capabilities["Sales"] = [.readMetrics]
        policy.schemaDidChange(to: edited)
        #expect(policy.decide(.readMetrics, for: sales) == .allow)
        #expect(policy.schema == edited)
    }

    @Test("user administration takes the acting principal and refuses it without manageUsers")
    func userAdministration() async throws {
        let fixture = try await AuthFixture.make(policy: PolicyEngine(schema: Self.schema))
        let auth = fixture.auth
        let viewer = Principal(userID: "v-1", roles: ["Viewer"])
        let manager = Principal(userID: "m-1", roles: ["Manager"])
        let refused = AuthenticationError.forbidden(reason: "roles Viewer do not hold the capability manageUsers")
        await #expect(throws: refused) {
            try await auth.register(email: "eve@example.com", password: goodPassword, roles: ["Admin"], as: viewer)
        }
        await #expect(
            throws: AuthenticationError.forbidden(
                reason: "a principal without roles does not hold the capability manageUsers")
        ) {
            try await auth.register(email: "eve@example.com", password: goodPassword, roles: ["Admin"], as: .anonymous)
        }
        let user = try await auth.register(
            email: "ada@example.com", password: goodPassword, roles: ["Sales"], as: manager)
        await #expect(throws: refused) {
            try await auth.importUser(
                email: "old@example.com", passwordHash: "$2b$04$AnKecXqwJ4bjfppLXgxdEOo5ywwaokhSQMFUczAgrvfRNXEM6sNpq",
                roles: ["Sales"], as: viewer)
        }
        await #expect(throws: refused) { try await auth.changeRoles(userID: user.id, to: ["Admin"], as: viewer) }
        await #expect(throws: refused) { try await auth.disable(userID: user.id, reason: "no", as: viewer) }
        await #expect(throws: refused) { try await auth.enable(userID: user.id, as: viewer) }
        await #expect(throws: refused) {
            try await auth.resetPassword(userID: user.id, newPassword: "another long passphrase", as: viewer)
        }
        #expect(try await auth.user(id: user.id)?.roles == ["Sales"], "nothing changed")
        #expect(try await auth.user(id: user.id)?.isDisabled == false)

        try await auth.changeRoles(userID: user.id, to: ["Support"], as: manager)
        try await auth.disable(userID: user.id, reason: "left", as: manager)
        try await auth.enable(userID: user.id, as: manager)
        try await auth.resetPassword(userID: user.id, newPassword: "another long passphrase", as: manager)
        _ = try await auth.login(email: "ada@example.com", password: "another long passphrase")
        #expect(try await auth.user(id: user.id)?.roles == ["Support"])
        let events = try await fixture.events.readAll(after: 0, limit: 100)
        #expect(events.first?.metadata.actor == "m-1", "the acting principal is recorded")
    }
}
