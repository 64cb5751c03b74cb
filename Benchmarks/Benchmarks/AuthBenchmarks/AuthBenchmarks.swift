import AtomoAuth
import AtomoEvents
import AtomoSQLite
import Benchmark
import Foundation

/// package-benchmark suites for AtomoAuth: the per-request check and the password hash, with
/// package-benchmark's statistics, baselines and allocation counts.
///
/// ```
/// swift package --package-path Benchmarks benchmark --target AuthBenchmarks
/// ```
let benchmarks: @Sendable () -> Void = {
    // One iteration authenticates 1,000 requests; with `.kilo` the figures are per request.
    Benchmark(
        "Token verify + session check, HS256, in-memory sessions, verified-token cache (requests)",
        configuration: .init(
            metrics: [.throughput, .wallClock, .mallocCountTotal], timeUnits: .microseconds, warmupIterations: 1,
            scalingFactor: .kilo, maxDuration: .seconds(3), maxIterations: 1000)
    ) { benchmark, fixture in
        benchmark.startMeasurement()
        for index in 0..<1000 {
            blackHole(try await fixture.auth.authenticate(fixture.tokens[index % fixture.tokens.count]))
        }
        benchmark.stopMeasurement()
    } setup: {
        try await AuthFixture.make()
    }

    // The same with the verified-token cache off: every request checks the signature and decodes the claims.
    Benchmark(
        "Token verify + session check, HS256, in-memory sessions, no cache (requests)",
        configuration: .init(
            metrics: [.throughput, .wallClock, .mallocCountTotal], timeUnits: .microseconds, warmupIterations: 1,
            scalingFactor: .kilo, maxDuration: .seconds(3), maxIterations: 1000)
    ) { benchmark, fixture in
        benchmark.startMeasurement()
        for index in 0..<1000 {
            blackHole(try await fixture.auth.authenticate(fixture.tokens[index % fixture.tokens.count]))
        }
        benchmark.stopMeasurement()
    } setup: {
        try await AuthFixture.make(verifiedTokenCacheSize: 0)
    }

    Benchmark(
        "argon2id hash, OWASP parameters (hashes)",
        configuration: .init(
            metrics: [.throughput, .wallClock, .peakMemoryResident], timeUnits: .milliseconds, warmupIterations: 1,
            maxDuration: .seconds(5), maxIterations: 50)
    ) { benchmark, hasher in
        benchmark.startMeasurement()
        blackHole(try await hasher.hash("correct horse battery staple"))
        benchmark.stopMeasurement()
    } setup: {
        try PasswordHasher()
    }
}

/// An authenticator with 1,000 live sessions and their access tokens.
struct AuthFixture: Sendable {
    let auth: Authenticator
    let tokens: [String]

    static func make(verifiedTokenCacheSize: Int = 10_000) async throws -> AuthFixture {
        let sessions = InMemorySessionStore()
        let credentials = SQLCredentialStore(database: try SQLiteDatabase(inMemoryWith: .init()))
        try await credentials.migrate()
        let tokenService = await TokenService(
            configuration: .init(
                key: .generateHS256(), issuer: "https://bench", audience: "crm",
                verifiedTokenCacheSize: verifiedTokenCacheSize))
        let auth = try await Authenticator(
            events: InMemoryEventStore(), credentials: credentials, sessions: sessions, tokens: tokenService,
            hasher: try PasswordHasher())
        let now = Date()
        var tokens: [String] = []
        for index in 0..<1000 {
            let session = Session(
                id: Session.makeID(), userID: "user-\(index)", tenant: nil, createdAt: now,
                expiresAt: now.addingTimeInterval(3600))
            try await sessions.create(session, refreshToken: RefreshTokenHash.makeToken().hash)
            tokens.append(
                try tokenService.issue(subject: session.userID, sessionID: session.id, roles: ["Sales"], tenant: nil)
                    .token)
        }
        return AuthFixture(auth: auth, tokens: tokens)
    }
}
