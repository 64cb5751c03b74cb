import ArgumentParser
import AtomoAuth
import AtomoEvents
import AtomoSQLite
import Foundation

/// `atomo-bench auth`: the per-request cost of authentication and the cost of a password hash.
///
/// 1. **verify + session check** — `Authenticator.authenticate(_:)` (JWT verification with the pinned
///    algorithm, then the session lookup) on `--tokens` distinct live sessions, from `--tasks`
///    concurrent tasks, `--requests` calls per run; requests per second. Twice: as configured by
///    default (a token seen before is served from the verified-token cache, as when a client reuses
///    its access token) and with the cache off (every request checks the signature and decodes JSON).
/// 2. **verify only** — `TokenService.verify(_:)` alone with the cache off, per algorithm (HS256,
///    ES256, EdDSA).
/// 3. **argon2id hash** — `PasswordHasher.hash(_:)` at OWASP parameters (m=19456 KiB, t=2, p=1),
///    `--hashes` one after another; milliseconds per hash (and per verification).
///
/// Medians of `--runs` runs.
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Measure token verification + session check throughput and argon2id hash time."
    )

    enum SessionBackend: String, ExpressibleByArgument, CaseIterable {
        case memory
        case sqlite
        case sqliteCached = "sqlite-cached"
    }

    @Option(
        help:
            "Session store: memory (InMemorySessionStore), sqlite (SQLSessionStore on a file) or sqlite-cached (CachedSessionStore in front of it)."
    )
    var sessions: SessionBackend = .memory

    @Option(help: "Distinct live sessions (and tokens) the requests cycle through.")
    var tokens = 1000

    @Option(help: "Requests per run.")
    var requests = 400_000

    @Option(help: "Concurrent tasks issuing requests (default: the number of cores).")
    var tasks = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "argon2id hashes per run (at OWASP parameters).")
    var hashes = 20

    @Option(help: "Number of runs; medians are reported.")
    var runs = 3

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() async throws {
        let sessionStore: any SessionStore
        var databasePath: String?
        switch sessions {
        case .memory: sessionStore = InMemorySessionStore()
        case .sqlite, .sqliteCached:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "atomo-bench-auth-\(UUID().uuidString).sqlite"
            ).path
            databasePath = path
            let store = SQLSessionStore(database: try await SQLiteDatabase.open(path: path))
            try await store.migrate()
            sessionStore = sessions == .sqliteCached ? CachedSessionStore(store) : store
        }
        defer {
            if let databasePath {
                for suffix in ["", "-wal", "-shm"] {
                    try? FileManager.default.removeItem(atPath: databasePath + suffix)
                }
            }
        }
        let credentialsDatabase = try SQLiteDatabase(inMemoryWith: .init())
        let credentials = SQLCredentialStore(database: credentialsDatabase)
        try await credentials.migrate()
        let key = TokenKey.generateHS256()
        let tokenService = await TokenService(configuration: .init(key: key, issuer: "https://bench", audience: "crm"))
        let coldTokenService = await TokenService(
            configuration: .init(key: key, issuer: "https://bench", audience: "crm", verifiedTokenCacheSize: 0))
        let hasher = try PasswordHasher()
        let auth = try await Authenticator(
            events: InMemoryEventStore(), credentials: credentials, sessions: sessionStore, tokens: tokenService,
            hasher: hasher)
        let coldAuth = try await Authenticator(
            events: InMemoryEventStore(), credentials: credentials, sessions: sessionStore, tokens: coldTokenService,
            hasher: hasher)

        // Live sessions and their tokens, made directly (not through login: that would be `tokens` argon2 hashes).
        let now = Date()
        var accessTokens: [String] = []
        for index in 0..<max(1, tokens) {
            let session = Session(
                id: Session.makeID(), userID: "user-\(index)", tenant: nil, createdAt: now,
                expiresAt: now.addingTimeInterval(3600))
            try await sessionStore.create(session, refreshToken: RefreshTokenHash.makeToken().hash)
            accessTokens.append(
                try tokenService.issue(
                    subject: session.userID, sessionID: session.id, roles: ["Sales"], tenant: nil, now: now
                ).token)
        }
        let pool = accessTokens

        var authenticateRates: [Measurement] = []
        var coldAuthenticateRates: [Measurement] = []
        for _ in 0..<max(1, runs) {
            authenticateRates.append(
                try await Self.throughput(requests: requests, tasks: tasks) { index in
                    _ = try await auth.authenticate(pool[index % pool.count])
                })
            coldAuthenticateRates.append(
                try await Self.throughput(requests: requests, tasks: tasks) { index in
                    _ = try await coldAuth.authenticate(pool[index % pool.count])
                })
        }

        var verifyRates: [String: Measurement] = [:]
        for algorithm in TokenKey.Algorithm.allCases {
            let key: TokenKey =
                switch algorithm {
                case .hs256: .generateHS256()
                case .es256: .generateES256()
                case .edDSA: try .generateEdDSA()
                }
            let service = await TokenService(
                configuration: .init(key: key, issuer: "https://bench", audience: "crm", verifiedTokenCacheSize: 0))
            let signed = try (0..<100).map { index in
                try service.issue(
                    subject: "user-\(index)", sessionID: "s-\(index)", roles: ["Sales"], tenant: nil, now: now
                ).token
            }
            // Asymmetric verification is far slower; fewer requests keep the run short.
            let count = algorithm == .hs256 ? requests : max(1, requests / 40)
            var rates: [Measurement] = []
            for _ in 0..<max(1, runs) {
                rates.append(
                    try await Self.throughput(requests: count, tasks: tasks) { index in
                        _ = try service.verify(signed[index % signed.count], now: now)
                    })
            }
            verifyRates[algorithm.rawValue] = Measurement.median(rates)
        }

        var hashMilliseconds: [Double] = []
        var verifyMilliseconds: [Double] = []
        let password = "correct horse battery staple"
        for _ in 0..<max(1, runs) {
            var times: [Double] = []
            var stored = ""
            for _ in 0..<max(1, hashes) {
                let start = ContinuousClock.now
                stored = try await hasher.hash(password)
                times.append(Self.seconds(ContinuousClock.now - start) * 1000)
            }
            hashMilliseconds.append(Self.median(times))
            var verifyTimes: [Double] = []
            for _ in 0..<max(1, hashes) {
                let start = ContinuousClock.now
                guard try await hasher.verify(password, against: stored) else {
                    throw ValidationError("verification failed")
                }
                verifyTimes.append(Self.seconds(ContinuousClock.now - start) * 1000)
            }
            verifyMilliseconds.append(Self.median(verifyTimes))
        }

        let authenticate = Measurement.median(authenticateRates)
        let coldAuthenticate = Measurement.median(coldAuthenticateRates)
        let hash = Self.median(hashMilliseconds)
        let verify = Self.median(verifyMilliseconds)
        if json {
            let fields = [
                "\"benchmark\":\"auth\"", "\"sessions\":\"\(sessions.rawValue)\"", "\"tokens\":\(tokens)",
                "\"requests\":\(requests)", "\"tasks\":\(tasks)", "\"runs\":\(max(1, runs))",
                "\"authenticatePerSecond\":\(Int(authenticate.perSecond))",
                "\"authenticateCPUMicroseconds\":\(String(format: "%.2f", authenticate.cpuMicroseconds))",
                "\"authenticateUncachedPerSecond\":\(Int(coldAuthenticate.perSecond))",
                "\"authenticateUncachedCPUMicroseconds\":\(String(format: "%.2f", coldAuthenticate.cpuMicroseconds))",
                "\"verifyHS256PerSecond\":\(Int(verifyRates["HS256"]?.perSecond ?? 0))",
                "\"verifyES256PerSecond\":\(Int(verifyRates["ES256"]?.perSecond ?? 0))",
                "\"verifyEdDSAPerSecond\":\(Int(verifyRates["EdDSA"]?.perSecond ?? 0))",
                "\"argon2idHashMilliseconds\":\(String(format: "%.2f", hash))",
                "\"argon2idVerifyMilliseconds\":\(String(format: "%.2f", verify))",
                "\"argon2idParameters\":\"\(Argon2Parameters.owasp)\"",
            ]
            print("{" + fields.joined(separator: ",") + "}")
        } else {
            print("AtomoAuth, \(sessions.rawValue) sessions, \(tasks) tasks, median of \(max(1, runs)) runs")
            print("  verify + session check (HS256)  \(authenticate)")
            print("    … verification cache off      \(coldAuthenticate)")
            for algorithm in TokenKey.Algorithm.allCases {
                let name = algorithm.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)
                print(
                    "  verify only, \(name)             \(verifyRates[algorithm.rawValue] ?? Measurement(perSecond: 0, cpuMicroseconds: 0))"
                )
            }
            print("  argon2id hash (\(Argon2Parameters.owasp))    \(String(format: "%.1f", hash)) ms")
            print("  argon2id verify                 \(String(format: "%.1f", verify)) ms")
        }
    }

    /// Calls per second (wall clock) and the process's CPU time per call: on a busy machine the first
    /// moves with the other load, the second much less; `cores / CPU time` is the capacity of idle cores.
    struct Measurement: CustomStringConvertible {
        var perSecond: Double
        var cpuMicroseconds: Double

        static func median(_ samples: [Measurement]) -> Measurement {
            Measurement(
                perSecond: AuthCommand.median(samples.map(\.perSecond)),
                cpuMicroseconds: AuthCommand.median(samples.map(\.cpuMicroseconds)))
        }

        var description: String {
            "\(AuthCommand.format(perSecond))/s, CPU \(String(format: "%.2f", cpuMicroseconds)) µs per call"
        }
    }

    /// Runs `body(i)` for i in 0..<requests from `tasks` tasks.
    static func throughput(
        requests: Int, tasks: Int, _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws -> Measurement {
        let tasks = max(1, tasks)
        let cpuStart = CRDTB4Command.processCPUSeconds()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var index = task
                    while index < requests {
                        try await body(index)
                        index += tasks
                    }
                }
            }
            try await group.waitForAll()
        }
        let wall = seconds(ContinuousClock.now - start)
        let cpu = CRDTB4Command.processCPUSeconds() - cpuStart
        return Measurement(perSecond: Double(requests) / wall, cpuMicroseconds: cpu / Double(requests) * 1e6)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    static func format(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: value)) ?? "\(Int(value))"
    }
}
