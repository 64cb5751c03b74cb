import AtomoAuth
import AtomoSQL
import AtomoSQLite
import Foundation
import Testing

/// The session stores under test: in memory, SQLite in a file, and (in PostgresAuthTests) PostgreSQL.
enum SessionStoreKind: String, CaseIterable, CustomTestStringConvertible {
    case inMemory
    case sqlite
    case cachedSQLite

    var testDescription: String { rawValue }

    func make() async throws -> any SessionStore {
        switch self {
        case .inMemory: return InMemorySessionStore()
        case .cachedSQLite:
            return CachedSessionStore(try await Self.sqlite.make(), maximumStaleness: .seconds(60))
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "atomo-auth-\(UUID().uuidString).sqlite"
            ).path
            let store = SQLSessionStore(database: try await SQLiteDatabase.open(path: path))
            try await store.migrate()
            try await store.migrate()  // idempotent
            return store
        }
    }
}

/// The session-store contract, run against any store.
enum SessionStoreContract {
    static let start = Date(timeIntervalSince1970: 1_900_000_000)

    static func session(_ id: String, user: String, lifetime: Double = 3600) -> Session {
        Session(id: id, userID: user, tenant: "acme", createdAt: start, expiresAt: start.addingTimeInterval(lifetime))
    }

    static func createAndEnd(_ store: any SessionStore) async throws {
        let session = session("s1", user: "u1")
        try await store.create(session, refreshToken: RefreshTokenHash(of: "r1"))
        #expect(try await store.session(id: "s1") == session)
        #expect(try await store.session(id: "nope") == nil)
        await #expect(throws: SessionStoreError.duplicateSession(id: "s1")) {
            try await store.create(session, refreshToken: RefreshTokenHash(of: "r-other"))
        }
        let ended = try #require(
            try await store.end(sessionID: "s1", reason: .logout, at: start.addingTimeInterval(10)))
        #expect(ended.endReason == .logout && ended.endedAt == start.addingTimeInterval(10))
        #expect(try await store.session(id: "s1")?.isActive(at: start.addingTimeInterval(11)) == false)
        #expect(
            try await store.end(sessionID: "s1", reason: .revoked, at: start.addingTimeInterval(12)) == nil, "ends once"
        )
        #expect(try await store.session(id: "s1")?.endReason == .logout)
    }

    static func listing(_ store: any SessionStore) async throws {
        for (index, id) in ["a", "b", "c", "d"].enumerated() {
            let created = start.addingTimeInterval(Double(index))
            try await store.create(
                Session(id: id, userID: "u1", tenant: nil, createdAt: created, expiresAt: created.addingTimeInterval(60)),
                refreshToken: RefreshTokenHash(of: "r-\(id)"))
        }
        try await store.create(session("other", user: "u2"), refreshToken: RefreshTokenHash(of: "r-other"))
        _ = try await store.end(sessionID: "b", reason: .logout, at: start.addingTimeInterval(30))
        let listed = try await store.sessions(userID: "u1", limit: 10)
        #expect(listed.map(\.id) == ["d", "c", "b", "a"], "newest first, ended ones included")
        #expect(listed.first { $0.id == "b" }?.endReason == .logout)
        #expect(try await store.sessions(userID: "u1", limit: 2).map(\.id) == ["d", "c"])
        #expect(try await store.sessions(userID: "u1", limit: 0).isEmpty)
        #expect(try await store.sessions(userID: "u2", limit: 10).map(\.id) == ["other"])
        #expect(try await store.sessions(userID: "nobody", limit: 10).isEmpty)
        // Deleted sessions are no longer listed.
        _ = try await store.deleteInactive(before: start.addingTimeInterval(10_000))
        #expect(try await store.sessions(userID: "u1", limit: 10).isEmpty)
    }

    static func expiry(_ store: any SessionStore) async throws {
        try await store.create(session("s1", user: "u1", lifetime: 60), refreshToken: RefreshTokenHash(of: "r1"))
        let stored = try #require(try await store.session(id: "s1"))
        #expect(stored.isActive(at: start.addingTimeInterval(59)))
        #expect(!stored.isActive(at: start.addingTimeInterval(60)))
        #expect(try await store.end(sessionID: "s1", reason: .logout, at: start.addingTimeInterval(61)) == nil)
        let next = RefreshTokenHash(of: "r2")
        #expect(
            try await store.rotateRefreshToken(RefreshTokenHash(of: "r1"), to: next, at: start.addingTimeInterval(61))
                == .sessionInactive(stored))
        #expect(try await store.deleteInactive(before: start.addingTimeInterval(120)) == 1)
        #expect(try await store.session(id: "s1") == nil)
    }

    static func endAll(_ store: any SessionStore) async throws {
        for (id, user) in [("a", "u1"), ("b", "u1"), ("c", "u2")] {
            try await store.create(session(id, user: user), refreshToken: RefreshTokenHash(of: "r-\(id)"))
        }
        let ended = try await store.endAll(userID: "u1", reason: .revokedAll, at: start.addingTimeInterval(5))
        #expect(ended.map(\.id) == ["a", "b"])
        #expect(ended.allSatisfy { $0.endReason == .revokedAll })
        #expect(try await store.session(id: "c")?.isActive(at: start.addingTimeInterval(5)) == true)
        #expect(try await store.endAll(userID: "u1", reason: .revokedAll, at: start.addingTimeInterval(6)).isEmpty)
    }

    static func rotationAndReuse(_ store: any SessionStore) async throws {
        let session = session("s1", user: "u1")
        try await store.create(session, refreshToken: RefreshTokenHash(of: "r1"))
        let at = start.addingTimeInterval(30)
        #expect(
            try await store.rotateRefreshToken(RefreshTokenHash(of: "r1"), to: RefreshTokenHash(of: "r2"), at: at)
                == .rotated(session))
        #expect(
            try await store.rotateRefreshToken(RefreshTokenHash(of: "r2"), to: RefreshTokenHash(of: "r3"), at: at)
                == .rotated(session))
        #expect(
            try await store.rotateRefreshToken(RefreshTokenHash(of: "unknown"), to: RefreshTokenHash(of: "x"), at: at)
                == .unknown)
        // r1 again: stolen and replayed. The whole family (the session) ends, r3 included.
        guard
            case .reuseDetected(let ended) = try await store.rotateRefreshToken(
                RefreshTokenHash(of: "r1"), to: RefreshTokenHash(of: "r4"), at: at)
        else {
            Issue.record("reuse not detected")
            return
        }
        #expect(ended.endReason == .refreshTokenReused && ended.id == "s1")
        #expect(try await store.session(id: "s1")?.isActive(at: at) == false)
        if case .rotated = try await store.rotateRefreshToken(
            RefreshTokenHash(of: "r3"), to: RefreshTokenHash(of: "r5"), at: at)
        {
            Issue.record("the current token of a revoked family still rotated")
        }
    }

    static func concurrentRotation(_ store: any SessionStore) async throws {
        try await store.create(session("s1", user: "u1"), refreshToken: RefreshTokenHash(of: "r1"))
        let at = start.addingTimeInterval(30)
        let outcomes = try await withThrowingTaskGroup(of: RefreshRotation.self) { group in
            for index in 0..<8 {
                group.addTask {
                    try await store.rotateRefreshToken(
                        RefreshTokenHash(of: "r1"), to: RefreshTokenHash(of: "n\(index)"), at: at)
                }
            }
            return try await group.reduce(into: [RefreshRotation]()) { $0.append($1) }
        }
        let rotated = outcomes.filter { if case .rotated = $0 { true } else { false } }
        #expect(rotated.count == 1, "exactly one concurrent use of a token wins")
        #expect(try await store.session(id: "s1")?.endReason == .refreshTokenReused)
    }
}

@Suite("Session stores")
struct SessionStoreTests {
    @Test("create, check, end once", arguments: SessionStoreKind.allCases)
    func createAndEnd(kind: SessionStoreKind) async throws {
        try await SessionStoreContract.createAndEnd(try await kind.make())
    }

    @Test("a user's sessions are listed newest first", arguments: SessionStoreKind.allCases)
    func listing(kind: SessionStoreKind) async throws {
        try await SessionStoreContract.listing(try await kind.make())
    }

    @Test(
        "sessions expire; expired sessions neither end nor rotate, and are deleted",
        arguments: SessionStoreKind.allCases)
    func expiry(kind: SessionStoreKind) async throws {
        try await SessionStoreContract.expiry(try await kind.make())
    }

    @Test("revoke-all ends every active session of one user only", arguments: SessionStoreKind.allCases)
    func endAll(kind: SessionStoreKind) async throws {
        try await SessionStoreContract.endAll(try await kind.make())
    }

    @Test("refresh tokens rotate; a reused one revokes its whole family", arguments: SessionStoreKind.allCases)
    func rotation(kind: SessionStoreKind) async throws {
        try await SessionStoreContract.rotationAndReuse(try await kind.make())
    }

    @Test("of concurrent rotations of one token exactly one wins", arguments: SessionStoreKind.allCases)
    func concurrentRotation(kind: SessionStoreKind) async throws {
        try await SessionStoreContract.concurrentRotation(try await kind.make())
    }

    @Test("a cached store: revocations through it are immediate, others' are seen after the staleness bound")
    func cacheStaleness() async throws {
        let base = try await SessionStoreKind.sqlite.make()
        let cached = CachedSessionStore(base, maximumStaleness: .milliseconds(200))
        let start = SessionStoreContract.start
        for id in ["a", "b"] {
            try await cached.create(
                SessionStoreContract.session(id, user: "u1"), refreshToken: RefreshTokenHash(of: id))
        }
        #expect(try await cached.session(id: "a")?.isActive(at: start) == true)
        // Through the cache: at once.
        _ = try await cached.end(sessionID: "a", reason: .logout, at: start)
        #expect(try await cached.session(id: "a")?.endReason == .logout)
        // Another process ends "b" in the shared database: the cache may answer from memory until the
        // bound, and must not afterwards.
        #expect(try await cached.session(id: "b")?.isActive(at: start) == true)
        _ = try await base.end(sessionID: "b", reason: .revoked, at: start)
        try await Task.sleep(for: .milliseconds(250))
        #expect(try await cached.session(id: "b")?.endReason == .revoked)
    }
}
