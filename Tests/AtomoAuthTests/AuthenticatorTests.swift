import AtomoAuth
import AtomoEvents
import AtomoSchema
import Foundation
import Testing

@Suite("Authenticator")
struct AuthenticatorTests {
    @Test("register, log in, authenticate a request, log out: the token is refused at once")
    func loginAndLogout() async throws {
        let fixture = try await AuthFixture.make()
        let auth = fixture.auth
        let user = try await auth.register(
            email: "Ada@Example.com", password: goodPassword, roles: ["Sales"], tenant: "acme", as: .system)
        let login = try await auth.login(email: "ada@example.com", password: goodPassword, clientAddress: "203.0.113.9")
        #expect(login.user.id == user.id && login.accessClaims.subject == user.id)
        #expect(login.accessClaims.sessionID == login.session.id && login.accessClaims.roles == ["Sales"])
        let request = try await auth.authenticate(login.accessToken)
        #expect(
            request.principal
                == Principal(userID: user.id, roles: ["Sales"], tenant: "acme", sessionID: login.session.id))
        #expect(try await auth.logout(sessionID: login.session.id))
        await #expect(throws: AuthenticationError.sessionInactive(sessionID: login.session.id)) {
            _ = try await auth.authenticate(login.accessToken)
        }
        await #expect(throws: AuthenticationError.invalidRefreshToken) {
            _ = try await auth.refresh(login.refreshToken)
        }
    }

    @Test("users are listed in registration order, a page at a time; a user's sessions newest first")
    func listing() async throws {
        let fixture = try await AuthFixture.make()
        let auth = fixture.auth
        var registered: [User] = []
        for name in ["ada", "bob", "cy", "dee", "eve"] {
            registered.append(
                try await auth.register(
                    email: "\(name)@example.com", password: goodPassword, roles: ["Viewer"], as: .system))
        }
        let first = try await auth.users(limit: 2)
        #expect(first.map(\.email) == ["ada@example.com", "bob@example.com"])
        let second = try await auth.users(after: first.last?.id, limit: 2)
        #expect(second.map(\.email) == ["cy@example.com", "dee@example.com"])
        let rest = try await auth.users(after: second.last?.id, limit: 10)
        #expect(rest.map(\.id) == [registered[4].id])
        #expect(try await auth.users(after: rest.last?.id, limit: 10).isEmpty)

        let earlier = try await auth.login(email: "ada@example.com", password: goodPassword)
        fixture.clock.advance(.seconds(5))
        let later = try await auth.login(email: "ada@example.com", password: goodPassword)
        _ = try await auth.logout(sessionID: earlier.session.id)
        let sessions = try await auth.sessions(userID: registered[0].id)
        #expect(sessions.map(\.id) == [later.session.id, earlier.session.id])
        #expect(sessions.last?.endReason == .logout)
        #expect(try await auth.sessions(userID: registered[1].id).isEmpty)
    }

    @Test("emails are unique case-insensitively")
    func uniqueEmails() async throws {
        let auth = try await AuthFixture.make().auth
        try await auth.register(email: "ada@example.com", password: goodPassword, roles: ["Viewer"], as: .system)
        await #expect(throws: AuthenticationError.emailTaken("ADA@example.com")) {
            try await auth.register(email: "ADA@example.com", password: goodPassword, roles: ["Viewer"], as: .system)
        }
        await #expect(throws: AuthenticationError.self) {
            try await auth.register(email: "not-an-email", password: goodPassword, roles: ["Viewer"], as: .system)
        }
        await #expect(throws: AuthenticationError.unknownRole("Owner")) {
            try await auth.register(email: "bob@example.com", password: goodPassword, roles: ["Owner"], as: .system)
        }
        await #expect(throws: PasswordPolicyError.rejected([.tooShort(length: 8, minimum: 12), .common])) {
            try await auth.register(email: "bob@example.com", password: "password", roles: ["Viewer"], as: .system)
        }
    }

    @Test("users and sessions are event-sourced, and no secret reaches the event log")
    func auditTrail() async throws {
        let fixture = try await AuthFixture.make()
        let auth = fixture.auth
        let user = try await auth.register(
            email: "ada@example.com", password: goodPassword, roles: ["Sales"], as: .system)
        let login = try await auth.login(
            email: "ada@example.com", password: goodPassword, clientAddress: "198.51.100.7")
        try await auth.changeRoles(userID: user.id, to: ["Manager"], as: Principal(userID: "admin-1", roles: ["Admin"]))
        try await auth.disable(
            userID: user.id, reason: "left the company", as: Principal(userID: "admin-1", roles: ["Admin"]))
        let all = try await fixture.events.readAll(after: 0, limit: 100)
        #expect(
            all.map(\.type) == [
                "UserRegistered", "SessionStarted", "UserRolesChanged", "SessionEnded", "UserDisabled",
            ])
        #expect(
            all.map(\.stream.rawValue) == [
                "User-\(user.id)", "Session-\(login.session.id)", "User-\(user.id)", "Session-\(login.session.id)",
                "User-\(user.id)",
            ])
        #expect(all[1].metadata.custom["clientAddress"] == "198.51.100.7")
        #expect(all[2].metadata.actor == "admin-1")
        let credential = try #require(try await fixture.credentials.credential(userID: user.id))
        for event in all {
            let text = String(decoding: event.payload, as: UTF8.self)
            #expect(!text.contains("argon2"), "no password hash in \(event.type)")
            #expect(!text.contains(credential.passwordHash))
            #expect(!text.contains(login.refreshToken) && !text.contains(goodPassword))
        }
        let loaded = try #require(try await auth.user(id: user.id))
        #expect(loaded.roles == ["Manager"] && loaded.isDisabled && loaded.email == "ada@example.com")
        let session = try await AggregateRepository<SessionRecord>(store: fixture.events).load(login.session.id).state
        #expect(session.started && session.endReason == .rolesChanged)
    }

    @Test("changing roles, disabling a user and changing the password end the user's sessions at once")
    func revocations() async throws {
        let fixture = try await AuthFixture.make()
        let auth = fixture.auth
        let user = try await auth.register(
            email: "ada@example.com", password: goodPassword, roles: ["Sales"], as: .system)

        let first = try await auth.login(email: "ada@example.com", password: goodPassword)
        try await auth.changeRoles(userID: user.id, to: ["Manager"], as: .system)
        await #expect(throws: AuthenticationError.self) { _ = try await auth.authenticate(first.accessToken) }
        let second = try await auth.login(email: "ada@example.com", password: goodPassword)
        #expect(try await auth.authenticate(second.accessToken).claims.roles == ["Manager"])

        let newPassword = "an even longer passphrase 2"
        await #expect(throws: AuthenticationError.invalidCredentials) {
            try await auth.changePassword(
                userID: user.id, currentPassword: "wrong wrong wrong", newPassword: newPassword)
        }
        try await auth.changePassword(userID: user.id, currentPassword: goodPassword, newPassword: newPassword)
        await #expect(throws: AuthenticationError.self) { _ = try await auth.authenticate(second.accessToken) }
        await #expect(throws: AuthenticationError.invalidCredentials) {
            _ = try await auth.login(email: "ada@example.com", password: goodPassword)
        }
        let third = try await auth.login(email: "ada@example.com", password: newPassword)

        try await auth.disable(userID: user.id, reason: "test", as: .system)
        await #expect(throws: AuthenticationError.self) { _ = try await auth.authenticate(third.accessToken) }
        await #expect(throws: AuthenticationError.userDisabled(userID: user.id)) {
            _ = try await auth.login(email: "ada@example.com", password: newPassword)
        }
        try await auth.enable(userID: user.id, as: .system)
        _ = try await auth.login(email: "ada@example.com", password: newPassword)
    }

    @Test("log out everywhere ends every session of the user")
    func logoutEverywhere() async throws {
        let auth = try await AuthFixture.make().auth
        let user = try await auth.register(
            email: "ada@example.com", password: goodPassword, roles: ["Sales"], as: .system)
        let logins = [
            try await auth.login(email: "ada@example.com", password: goodPassword),
            try await auth.login(email: "ada@example.com", password: goodPassword),
        ]
        let ended = try await auth.logoutEverywhere(userID: user.id)
        #expect(Set(ended.map(\.id)) == Set(logins.map(\.session.id)))
        for login in logins {
            await #expect(throws: AuthenticationError.self) { _ = try await auth.authenticate(login.accessToken) }
        }
    }

    @Test("refresh rotates the refresh token; replaying a used one ends the session and its newer tokens")
    func refreshRotation() async throws {
        let fixture = try await AuthFixture.make()
        let auth = fixture.auth
        try await auth.register(email: "ada@example.com", password: goodPassword, roles: ["Sales"], as: .system)
        let login = try await auth.login(email: "ada@example.com", password: goodPassword)
        fixture.clock.advance(.seconds(600))
        let refreshed = try await auth.refresh(login.refreshToken)
        #expect(refreshed.session.id == login.session.id && refreshed.refreshToken != login.refreshToken)
        #expect(refreshed.accessClaims.issuedAt == login.accessClaims.issuedAt.addingTimeInterval(600))
        _ = try await auth.authenticate(refreshed.accessToken)
        await #expect(throws: AuthenticationError.refreshTokenReused(sessionID: login.session.id)) {
            _ = try await auth.refresh(login.refreshToken)
        }
        await #expect(throws: AuthenticationError.sessionInactive(sessionID: login.session.id)) {
            _ = try await auth.authenticate(refreshed.accessToken)
        }
        await #expect(throws: AuthenticationError.invalidRefreshToken) {
            _ = try await auth.refresh(refreshed.refreshToken)
        }
        let last = try await fixture.events.readAll(after: 0, limit: 100).last
        #expect(last?.type == "SessionEnded")
    }

    @Test("access tokens expire with their lifetime; sessions expire with theirs")
    func expiry() async throws {
        let fixture = try await AuthFixture.make()
        let auth = fixture.auth
        try await auth.register(email: "ada@example.com", password: goodPassword, roles: ["Sales"], as: .system)
        let login = try await auth.login(email: "ada@example.com", password: goodPassword)
        fixture.clock.advance(.seconds(15 * 60 + 31))
        await #expect(throws: AuthenticationError.self) { _ = try await auth.authenticate(login.accessToken) }
        let refreshed = try await auth.refresh(login.refreshToken)
        fixture.clock.advance(.seconds(30 * 24 * 3600))
        await #expect(throws: AuthenticationError.invalidRefreshToken) {
            _ = try await auth.refresh(refreshed.refreshToken)
        }
    }

    @Test("a forged token whose signature is valid still needs a live session of its subject")
    func sessionBinding() async throws {
        let fixture = try await AuthFixture.make()
        let auth = fixture.auth
        let ada = try await auth.register(
            email: "ada@example.com", password: goodPassword, roles: ["Viewer"], as: .system)
        let login = try await auth.login(email: "ada@example.com", password: goodPassword)
        let claims = AccessTokenClaims(
            subject: "someone-else", sessionID: login.session.id, roles: ["Admin"], tenant: nil,
            issuer: "https://atomo.test",
            audience: ["crm"], issuedAt: fixture.clock.now, notBefore: fixture.clock.now,
            expiresAt: fixture.clock.now.addingTimeInterval(60))
        let token = try fixture.tokens.sign(claims)
        await #expect(throws: AuthenticationError.sessionInactive(sessionID: login.session.id)) {
            _ = try await auth.authenticate(token)
        }
        #expect(try await auth.authenticate(login.accessToken).userID == ada.id)
    }

    @Test("imported bcrypt and argon2i hashes log in and are re-hashed to argon2id, with an audit event")
    func legacyRehash() async throws {
        let fixture = try await AuthFixture.make()
        let auth = fixture.auth
        let bcrypt = "$2b$04$AnKecXqwJ4bjfppLXgxdEOo5ywwaokhSQMFUczAgrvfRNXEM6sNpq"
        let user = try await auth.importUser(
            email: "old@example.com", passwordHash: bcrypt, roles: ["Support"], as: .system)
        await #expect(
            throws: AuthenticationError.unsupportedPasswordHash(
                reason: "unrecognised password hash: neither an argon2 PHC string nor a bcrypt hash")
        ) {
            try await auth.importUser(
                email: "md5@example.com", passwordHash: "5f4dcc3b5aa765d61d8327deb882cf99", roles: [], as: .system)
        }
        _ = try await auth.login(email: "old@example.com", password: goodPassword)
        let upgraded = try #require(try await fixture.credentials.credential(userID: user.id)).passwordHash
        #expect(upgraded.hasPrefix("$argon2id$v=19$m=1024,t=1,p=1$"))
        #expect(!fixture.hasher.needsRehash(upgraded))
        let events = try await fixture.events.readStream(try StreamName(category: "User", id: user.id))
        let rehashed = try JSONEventCodec().decode(UserPasswordChanged.self, from: try #require(events.last))
        #expect(rehashed.reason == .rehashed)
        _ = try await auth.login(email: "old@example.com", password: goodPassword)
        #expect(
            try await fixture.events.readStream(try StreamName(category: "User", id: user.id)).count == events.count,
            "once")
    }

    @Test("20 wrong passwords lock the account for the window, even against the right password")
    func lockout() async throws {
        let fixture = try await AuthFixture.make()
        let auth = fixture.auth
        try await auth.register(email: "ada@example.com", password: goodPassword, roles: ["Sales"], as: .system)
        var delays: [Duration] = []
        for attempt in 1...20 {
            do {
                _ = try await auth.login(
                    email: "ada@example.com", password: "wrong password \(attempt)", clientAddress: "10.0.0.\(attempt)")
                Issue.record("a wrong password logged in")
            } catch AuthenticationError.invalidCredentials {
            }
            // Growing delays: the next attempt inside the delay is refused without password work.
            if case .delayed(let retryAfter) = auth.throttle.check(account: "ada@example.com", now: fixture.clock.now) {
                delays.append(retryAfter)
                await #expect(throws: AuthenticationError.tooManyAttempts(retryAfter: retryAfter)) {
                    _ = try await auth.login(email: "ada@example.com", password: goodPassword)
                }
                fixture.clock.advance(retryAfter)
            }
        }
        #expect(delays.count == 16, "after 3 free failures, each failure up to the 19th sets a delay")
        #expect(
            delays.prefix(7) == [
                .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(32), .seconds(60),
            ])
        let lockedAt = fixture.clock.now
        await #expect(throws: AuthenticationError.locked(until: lockedAt.addingTimeInterval(15 * 60))) {
            _ = try await auth.login(email: "ada@example.com", password: goodPassword)
        }
        fixture.clock.advance(.seconds(15 * 60 - 1))
        await #expect(throws: AuthenticationError.locked(until: lockedAt.addingTimeInterval(15 * 60))) {
            _ = try await auth.login(email: "ADA@example.com", password: goodPassword)
        }
        fixture.clock.advance(.seconds(1))
        let login = try await auth.login(email: "ada@example.com", password: goodPassword)
        _ = try await auth.authenticate(login.accessToken)
        #expect(auth.throttle.failures(account: "ada@example.com") == 0)
    }

    @Test(
        "a password longer than the policy's maximum is refused at login and counted; a huge email is throttled under a bounded key"
    )
    func oversizedPassword() async throws {
        let auth = try await AuthFixture.make().auth
        try await auth.register(email: "ada@example.com", password: goodPassword, roles: ["Sales"], as: .system)
        let huge = String(repeating: "x", count: 1_000_000)
        await #expect(throws: AuthenticationError.invalidCredentials) {
            _ = try await auth.login(email: "ada@example.com", password: huge)
        }
        #expect(auth.throttle.failures(account: "ada@example.com") == 1)
        let malformed = String(repeating: "m", count: 100_000)
        await #expect(throws: AuthenticationError.invalidCredentials) {
            _ = try await auth.login(email: malformed, password: goodPassword)
        }
        #expect(auth.throttle.failures(account: String(malformed.prefix(254))) == 1)
    }

    @Test("unknown emails are throttled exactly like known ones, and per client address")
    func throttleDoesNotRevealAccounts() async throws {
        let fixture = try await AuthFixture.make()
        let auth = fixture.auth
        try await auth.register(email: "ada@example.com", password: goodPassword, roles: ["Sales"], as: .system)
        for email in ["ada@example.com", "nobody@example.com"] {
            for _ in 0..<4 {
                await #expect(throws: AuthenticationError.invalidCredentials) {
                    _ = try await auth.login(
                        email: email, password: "wrong password!", clientAddress: "192.0.2.\(email.count)")
                }
            }
            await #expect(throws: AuthenticationError.tooManyAttempts(retryAfter: .seconds(1))) {
                _ = try await auth.login(email: email, password: "wrong password!")
            }
        }
        // One address spraying many accounts: 20 free failures; after the 21st, its failures are answered 429
        // for every account (known or not) — after the password work, so a correct password still passes.
        for index in 0...20 {
            await #expect(throws: AuthenticationError.invalidCredentials) {
                _ = try await auth.login(
                    email: "user\(index)@example.com", password: "wrong password!", clientAddress: "198.51.100.1")
            }
        }
        await #expect(throws: AuthenticationError.tooManyAttempts(retryAfter: .seconds(1))) {
            _ = try await auth.login(
                email: "fresh@example.com", password: "wrong password!", clientAddress: "198.51.100.1")
        }
    }

    @Test("unknown-user and wrong-password logins take the same time within 20% (medians of 20, OWASP parameters)")
    func timing() async throws {
        let fixture = try await AuthFixture.make(
            parameters: .owasp,
            throttle: LoginThrottle.Configuration(
                account: .init(
                    freeAttempts: 1000, baseDelay: .zero, maximumDelay: .zero, lockoutThreshold: 1000,
                    lockoutDuration: .zero, failureWindow: .seconds(1)),
                clientAddress: .init(
                    freeAttempts: 1000, baseDelay: .zero, maximumDelay: .zero, lockoutThreshold: 1000,
                    lockoutDuration: .zero, failureWindow: .seconds(1))))
        let auth = fixture.auth
        try await auth.register(email: "ada@example.com", password: goodPassword, roles: ["Sales"], as: .system)

        func measure(_ email: String) async -> Duration {
            let clock = ContinuousClock()
            let start = clock.now
            do {
                _ = try await auth.login(email: email, password: "wrong password!", clientAddress: "192.0.2.1")
                Issue.record("logged in with a wrong password")
            } catch {
                #expect(error as? AuthenticationError == .invalidCredentials)
            }
            return clock.now - start
        }
        // Warm up both paths, then interleave so that drift in machine load hits both equally. Another
        // process's burst can still skew one round on a shared 2-core machine, so a round that misses is
        // measured again (at most three rounds); a real difference — an unknown email that skipped the
        // argon2 work would be ~100× faster — misses every round.
        _ = await measure("ada@example.com")
        _ = await measure("nobody@example.com")
        var rounds: [String] = []
        var ratios: [Double] = []
        for _ in 0..<3 {
            var known: [Duration] = []
            var unknown: [Duration] = []
            for _ in 0..<20 {
                known.append(await measure("ada@example.com"))
                unknown.append(await measure("nobody@example.com"))
            }
            let knownMedian = known.sorted()[10]
            let unknownMedian = unknown.sorted()[10]
            let ratio = knownMedian / unknownMedian
            rounds.append("wrong password \(knownMedian), unknown user \(unknownMedian)")
            ratios.append(ratio)
            if ratio > 0.8 && ratio < 1.2 { break }
        }
        #expect(ratios.contains { $0 > 0.8 && $0 < 1.2 }, "medians of 20 per round: \(rounds)")
    }
}
