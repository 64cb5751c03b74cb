import AtomoSchema
import Foundation
import Testing

@testable import AtomoAuth

/// No change may leave an installation without an enabled user who may manage users (issue 18,
/// finding 6).
@Suite("The last administrator")
struct LastAdministratorTests {
    @Test("the last Admin can neither be disabled nor lose its Admin role; with a second Admin both work")
    func lastAdministrator() async throws {
        let fixture = try await AuthFixture.make()
        let auth = fixture.auth
        let admin = try await auth.register(
            email: "admin@example.com", password: goodPassword, roles: ["Admin"], as: .system)
        let bob = try await auth.register(
            email: "bob@example.com", password: goodPassword, roles: ["Sales"], as: .system)
        let adminPrincipal = Principal(userID: admin.id, roles: ["Admin"])

        await #expect(throws: AuthenticationError.lastAdministrator(userID: admin.id)) {
            try await auth.disable(userID: admin.id, reason: "oops", as: adminPrincipal)
        }
        await #expect(throws: AuthenticationError.lastAdministrator(userID: admin.id)) {
            try await auth.changeRoles(userID: admin.id, to: ["Sales"], as: .system)
        }
        await #expect(throws: AuthenticationError.lastAdministrator(userID: admin.id)) {
            try await auth.changeRoles(userID: admin.id, to: [], as: adminPrincipal)
        }
        #expect(try await auth.user(id: admin.id)?.roles == ["Admin"])
        #expect(try await auth.user(id: admin.id)?.isDisabled == false)
        // Keeping a role that grants manageUsers is fine; so is changing anyone else.
        try await auth.changeRoles(userID: admin.id, to: ["Admin", "Sales"], as: adminPrincipal)
        try await auth.disable(userID: bob.id, reason: "left", as: adminPrincipal)
        #expect(try await auth.administrators().map(\.id) == [admin.id])

        // A disabled Admin does not count.
        try await auth.enable(userID: bob.id, as: adminPrincipal)
        try await auth.changeRoles(userID: bob.id, to: ["Admin"], as: adminPrincipal)
        try await auth.disable(userID: admin.id, reason: "handover", as: .system)
        let bobPrincipal = Principal(userID: bob.id, roles: ["Admin"])
        await #expect(throws: AuthenticationError.lastAdministrator(userID: bob.id)) {
            try await auth.disable(userID: bob.id, reason: "oops", as: bobPrincipal)
        }
        try await auth.enable(userID: admin.id, as: bobPrincipal)
        try await auth.changeRoles(userID: bob.id, to: ["Viewer"], as: bobPrincipal)
        #expect(try await auth.administrators().map(\.id) == [admin.id])
        #expect(
            AuthenticationError.lastAdministrator(userID: "u1").description.contains("last enabled user"))
    }

    @Test("two concurrent disables of the only two Admins: exactly one succeeds")
    func concurrentDisables() async throws {
        let fixture = try await AuthFixture.make()
        let auth = fixture.auth
        let first = try await auth.register(
            email: "a@example.com", password: goodPassword, roles: ["Admin"], as: .system)
        let second = try await auth.register(
            email: "b@example.com", password: goodPassword, roles: ["Admin"], as: .system)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for id in [first.id, second.id] {
                group.addTask {
                    do {
                        try await auth.disable(userID: id, reason: "race", as: .system)
                        return true
                    } catch {
                        return false
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        #expect(try await auth.administrators().count == 1)
    }

    @Test("the HTTP handler answers the refusal 409 CONFLICT")
    func httpMapping() async throws {
        let response = AuthHTTPHandler.failure(AuthenticationError.lastAdministrator(userID: "u1"))
        #expect(response.status == 409)
        #expect(try AuthHTTPHandlerTests.body(response)["error"]?["code"] == "CONFLICT")
    }
}
