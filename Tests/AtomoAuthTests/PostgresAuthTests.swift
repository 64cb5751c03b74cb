import AtomoAuth
import AtomoPostgres
import AtomoSQL
import AtomoSchema
import AtomoTesting
import Foundation
import Testing

/// The SQL session store and the credentials table on PostgreSQL, through AtomoPostgres's
/// `PostgresSQLDatabase` (AtomoAuth itself never imports AtomoPostgres).
enum PostgresAuthDatabase {
    static let url = TestEnvironment.postgresURL

    static func database() throws -> PostgresSQLDatabase {
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        return try PostgresSQLDatabase(url: try #require(url), schema: try SQLIdentifier("auth_\(suffix)"), threads: 4)
    }

    static func sessions() async throws -> SQLSessionStore {
        let store = SQLSessionStore(database: try database())
        try await store.migrate()
        try await store.migrate()
        return store
    }
}

@Suite("AtomoAuth on PostgreSQL", TestEnvironment.postgres.trait)
struct PostgresAuthTests {
    @Test("session store: create, check, end once")
    func createAndEnd() async throws {
        try await SessionStoreContract.createAndEnd(try await PostgresAuthDatabase.sessions())
    }

    @Test("session store: a user's sessions newest first")
    func listing() async throws { try await SessionStoreContract.listing(try await PostgresAuthDatabase.sessions()) }

    @Test("session store: expiry and deletion")
    func expiry() async throws { try await SessionStoreContract.expiry(try await PostgresAuthDatabase.sessions()) }

    @Test("session store: revoke-all")
    func endAll() async throws { try await SessionStoreContract.endAll(try await PostgresAuthDatabase.sessions()) }

    @Test("session store: rotation and reuse detection")
    func rotation() async throws {
        try await SessionStoreContract.rotationAndReuse(try await PostgresAuthDatabase.sessions())
    }

    @Test("session store: of concurrent rotations on four connections exactly one wins")
    func concurrentRotation() async throws {
        try await SessionStoreContract.concurrentRotation(try await PostgresAuthDatabase.sessions())
    }

    @Test("credentials: emails unique case-insensitively, hashes updated, deleted")
    func credentials() async throws {
        let store = SQLCredentialStore(database: try PostgresAuthDatabase.database())
        try await store.migrate()
        let now = Date(timeIntervalSince1970: 1_900_000_000)
        try await store.insert(
            userID: "u1", email: try EmailAddress("Ada@Example.com"), passwordHash: "$argon2id$x", at: now)
        await #expect(throws: AuthenticationError.emailTaken("ada@example.COM")) {
            try await store.insert(userID: "u2", email: try EmailAddress("ada@example.COM"), passwordHash: "h", at: now)
        }
        #expect(try await store.credential(forEmail: try EmailAddress("ADA@example.com"))?.userID == "u1")
        #expect(try await store.updatePasswordHash(userID: "u1", to: "$argon2id$y", at: now))
        #expect(try await store.credential(userID: "u1")?.passwordHash == "$argon2id$y")
        #expect(try await store.delete(userID: "u1"))
        #expect(try await store.credential(userID: "u1") == nil)
    }

    @Test("login, request check and logout with sessions and credentials in PostgreSQL")
    func endToEnd() async throws {
        let database = try PostgresAuthDatabase.database()
        let sessions = SQLSessionStore(database: database)
        try await sessions.migrate()
        let fixture = try await AuthFixture.make(sessions: sessions)
        let credentials = SQLCredentialStore(database: database)
        try await credentials.migrate()
        let auth = try await Authenticator(
            events: fixture.events, credentials: credentials, sessions: sessions, tokens: fixture.tokens,
            hasher: fixture.hasher,
            configuration: .init(now: { fixture.clock.now }))
        try await auth.register(email: "grace@example.com", password: goodPassword, roles: ["Manager"], as: .system)
        let login = try await auth.login(email: "Grace@Example.com", password: goodPassword)
        #expect(try await auth.authenticate(login.accessToken).principal.roles == ["Manager"])
        try await auth.logout(sessionID: login.session.id)
        await #expect(throws: AuthenticationError.sessionInactive(sessionID: login.session.id)) {
            _ = try await auth.authenticate(login.accessToken)
        }
    }
}
