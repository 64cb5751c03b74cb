import AtomoAuth
import AtomoSchema
import Foundation
import Testing

/// `Authenticator.sessionEnd(_:)`: what long-lived connections wait on to close the moment their
/// session ends.
@Suite("Session end notifications")
struct SessionEndTests {
    static func loggedIn(_ fixture: AuthFixture, roles: [String] = ["Sales"]) async throws -> LoginResult {
        _ = try await fixture.auth.register(email: "ada@example.com", password: goodPassword, roles: roles, as: .system)
        return try await fixture.auth.login(email: "ada@example.com", password: goodPassword)
    }

    /// Starts waiting, gives the waiter time to register, runs `change`, and returns the reason
    /// reported (or nil if nothing came within 10 s).
    static func reason(
        waitingOn sessionID: String, _ auth: Authenticator, after change: () async throws -> Void
    ) async throws -> SessionEndReason? {
        let waiter = Task { await auth.sessionEnd(sessionID) }
        try await Task.sleep(for: .milliseconds(100))
        try await change()
        let timeout = Task {
            try? await Task.sleep(for: .seconds(10))
            waiter.cancel()
        }
        defer { timeout.cancel() }
        return await waiter.value
    }

    @Test("logout, revoke-all, a role change, disabling and a password reset wake the waiter with their reason")
    func everyEndWakes() async throws {
        let cases: [(SessionEndReason, @Sendable (Authenticator, LoginResult) async throws -> Void)] = [
            (.logout, { auth, login in _ = try await auth.logout(sessionID: login.session.id) }),
            (.revokedAll, { auth, login in _ = try await auth.logoutEverywhere(userID: login.user.id) }),
            (.rolesChanged, { auth, login in try await auth.changeRoles(userID: login.user.id, to: ["Viewer"], as: .system) }),
            (.userDisabled, { auth, login in try await auth.disable(userID: login.user.id, reason: "left", as: .system) }),
            (.passwordChanged, { auth, login in
                try await auth.resetPassword(userID: login.user.id, newPassword: goodPassword + "!", as: .system)
            }),
        ]
        for (expected, change) in cases {
            let fixture = try await AuthFixture.make()
            let login = try await Self.loggedIn(fixture)
            let reason = try await Self.reason(waitingOn: login.session.id, fixture.auth) {
                try await change(fixture.auth, login)
            }
            #expect(reason == expected)
        }
    }

    @Test("a session already ended answers at once; an active one keeps waiting; cancelling answers nil")
    func endedActiveAndCancelled() async throws {
        let fixture = try await AuthFixture.make()
        let login = try await Self.loggedIn(fixture)
        let waiter = Task { await fixture.auth.sessionEnd(login.session.id) }
        try await Task.sleep(for: .milliseconds(300))
        waiter.cancel()
        #expect(await waiter.value == nil)

        _ = try await fixture.auth.logout(sessionID: login.session.id)
        #expect(await fixture.auth.sessionEnd(login.session.id) == .logout)
        #expect(await fixture.auth.sessionEnd("no-such-session") == .revoked)
    }
}
