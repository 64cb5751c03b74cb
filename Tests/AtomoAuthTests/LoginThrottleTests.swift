import AtomoAuth
import AtomoSchema
import Foundation
import Testing

/// The login throttle protects users, not attackers: per-account limits stop guessing, and one
/// address's failures never keep another account's correct password out (issue 18, finding 4).
@Suite("LoginThrottle")
struct LoginThrottleTests {
    static let flooder = "198.51.100.7"

    /// Logs in with `count` random unknown emails and a wrong password from `address`.
    static func flood(_ auth: Authenticator, count: Int, from address: String) async {
        for _ in 0..<count {
            do {
                _ = try await auth.login(
                    email: "\(UUID().uuidString.lowercased())@example.com", password: "wrong password!",
                    clientAddress: address)
                Issue.record("an unknown email logged in")
            } catch {}
        }
    }

    @Test("25 failed logins with random emails from one address, then the Admin's correct password from it succeeds")
    func floodDoesNotLockOutTheAdmin() async throws {
        let fixture = try await AuthFixture.make()
        let auth = fixture.auth
        let admin = try await auth.register(
            email: "admin@example.com", password: goodPassword, roles: ["Admin"], as: .system)
        await Self.flood(auth, count: 25, from: Self.flooder)
        #expect(auth.throttle.failures(clientAddress: Self.flooder) == 25)
        guard case .delayed = auth.throttle.check(clientAddress: Self.flooder, now: fixture.clock.now) else {
            Issue.record("25 failures from one address did not put it over its budget")
            return
        }
        let login = try await auth.login(
            email: "admin@example.com", password: goodPassword, clientAddress: Self.flooder)
        #expect(login.user.id == admin.id)
        _ = try await auth.authenticate(login.accessToken)
    }

    @Test(
        "an address flooding unknown emails is answered 429; a wrong password of a known account from it gets the same")
    func floodingAddressIsDelayed() async throws {
        // Two throttles with identical histories: one then tries an unknown email, the other a known
        // account with a wrong password. The answers must be the same.
        var answers: [AuthenticationError] = []
        for email in ["nobody@example.com", "ada@example.com"] {
            let fixture = try await AuthFixture.make()
            try await fixture.auth.register(
                email: "ada@example.com", password: goodPassword, roles: ["Sales"], as: .system)
            await Self.flood(fixture.auth, count: 21, from: Self.flooder)
            do {
                _ = try await fixture.auth.login(email: email, password: "wrong password!", clientAddress: Self.flooder)
                Issue.record("a wrong password logged in")
            } catch let error as AuthenticationError {
                answers.append(error)
            }
        }
        #expect(answers == [.tooManyAttempts(retryAfter: .seconds(1)), .tooManyAttempts(retryAfter: .seconds(1))])
        // Another address is not affected.
        let fixture = try await AuthFixture.make()
        await Self.flood(fixture.auth, count: 21, from: Self.flooder)
        await #expect(throws: AuthenticationError.invalidCredentials) {
            _ = try await fixture.auth.login(
                email: "someone@example.com", password: "wrong password!", clientAddress: "192.0.2.50")
        }
    }

    @Test("wrong passwords on one account still lock that account, from one address; other accounts there log in")
    func accountLockout() async throws {
        let fixture = try await AuthFixture.make()
        let auth = fixture.auth
        try await auth.register(email: "ada@example.com", password: goodPassword, roles: ["Sales"], as: .system)
        try await auth.register(email: "bob@example.com", password: goodPassword, roles: ["Sales"], as: .system)
        let address = "203.0.113.20"
        var failures = 0
        while failures < 20 {
            switch auth.throttle.check(account: "ada@example.com", now: fixture.clock.now) {
            case .delayed(let retryAfter): fixture.clock.advance(retryAfter)
            case .locked: Issue.record("locked after \(failures) failures")
            case .allowed: break
            }
            await #expect(throws: AuthenticationError.self) {
                _ = try await auth.login(
                    email: "ada@example.com", password: "wrong \(failures)", clientAddress: address)
            }
            failures += 1
        }
        let lockedAt = fixture.clock.now
        await #expect(throws: AuthenticationError.locked(until: lockedAt.addingTimeInterval(15 * 60))) {
            _ = try await auth.login(email: "ada@example.com", password: goodPassword, clientAddress: address)
        }
        await #expect(throws: AuthenticationError.locked(until: lockedAt.addingTimeInterval(15 * 60))) {
            _ = try await auth.login(email: "ada@example.com", password: goodPassword, clientAddress: "192.0.2.99")
        }
        _ = try await auth.login(email: "bob@example.com", password: goodPassword, clientAddress: address)
    }

    @Test("a locked address still lets in a known device; others get the same locked answer, right password or not")
    func lockedAddress() async throws {
        let fixture = try await AuthFixture.make()
        let auth = fixture.auth
        try await auth.register(email: "ada@example.com", password: goodPassword, roles: ["Admin"], as: .system)
        try await auth.register(email: "bob@example.com", password: goodPassword, roles: ["Sales"], as: .system)
        _ = try await auth.login(email: "ada@example.com", password: goodPassword, clientAddress: Self.flooder)
        await Self.flood(auth, count: 100, from: Self.flooder)
        guard case .locked(let until) = auth.throttle.check(clientAddress: Self.flooder, now: fixture.clock.now) else {
            Issue.record("100 failures did not lock the address")
            return
        }
        // Ada has logged in from this address before: her correct password passes the lock.
        _ = try await auth.login(email: "ada@example.com", password: goodPassword, clientAddress: Self.flooder)
        // Bob has not: refused as locked, and so is a wrong password — the answer does not tell them apart,
        // and neither counts against Bob's account.
        for password in [goodPassword, "wrong password!"] {
            await #expect(throws: AuthenticationError.locked(until: until)) {
                _ = try await auth.login(email: "bob@example.com", password: password, clientAddress: Self.flooder)
            }
        }
        #expect(auth.throttle.failures(account: "bob@example.com") == 0)
        // From elsewhere, Bob logs in; after the lock, from the flooded address too.
        _ = try await auth.login(email: "bob@example.com", password: goodPassword, clientAddress: "192.0.2.10")
        fixture.clock.advance(.seconds(15 * 60))
        _ = try await auth.login(email: "bob@example.com", password: goodPassword, clientAddress: Self.flooder)
    }
}
