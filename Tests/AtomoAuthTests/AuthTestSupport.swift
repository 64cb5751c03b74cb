import AtomoAuth
import AtomoEvents
import AtomoSQL
import AtomoSQLite
import AtomoSchema
import AtomoTesting
import Foundation
import Synchronization
import Testing

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_900_000_000)) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func advance(_ duration: Duration) {
        current.withLock {
            $0 = $0.addingTimeInterval(
                Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
        }
    }
}

/// Cheap but real argon2id parameters, for tests that are not about hashing cost.
let testArgon2 = Argon2Parameters(memoryKiB: 1024, iterations: 1, parallelism: 1)

/// A strong password for tests (passes the default policy).
let goodPassword = "correct horse battery staple"

/// Everything an Authenticator needs, on real components: an in-memory event store, an in-memory
/// SQLite database for the credentials, and the session store given.
struct AuthFixture {
    let events: InMemoryEventStore
    let database: SQLiteDatabase
    let credentials: SQLCredentialStore
    let sessions: any SessionStore
    let tokens: TokenService
    let hasher: PasswordHasher
    let clock: TestClock
    let auth: Authenticator

    static func make(
        sessions: (any SessionStore)? = nil, parameters: Argon2Parameters = testArgon2,
        throttle: LoginThrottle.Configuration = LoginThrottle.Configuration(), key: TokenKey = .generateHS256(),
        policy: (any AccessPolicy)? = nil
    ) async throws -> AuthFixture {
        let events = InMemoryEventStore()
        let database = try SQLiteDatabase(inMemoryWith: .init())
        let credentials = SQLCredentialStore(database: database)
        try await credentials.migrate()
        let sessions = sessions ?? InMemorySessionStore()
        let clock = TestClock()
        let tokens = await TokenService(configuration: .init(key: key, issuer: "https://atomo.test", audience: "crm"))
        let hasher = try PasswordHasher(configuration: .init(parameters: parameters))
        let auth = try await Authenticator(
            events: events, credentials: credentials, sessions: sessions, tokens: tokens, hasher: hasher,
            configuration: .init(throttle: throttle, now: { clock.now }), policy: policy)
        return AuthFixture(
            events: events, database: database, credentials: credentials, sessions: sessions, tokens: tokens,
            hasher: hasher, clock: clock, auth: auth)
    }
}

/// Runs `Tests/interop/auth/peer.py` with the interpreter in `ATOMO_INTEROP_PYTHON` (a venv with
/// argon2-cffi, bcrypt and PyJWT from Tests/interop/requirements.txt, made by `scripts/test`).
/// The script takes a JSON array of requests on stdin and prints a JSON array of responses.
enum PythonAuthPeer {
    static var python: String? { TestEnvironment.interopPython }

    /// argon2-cffi, bcrypt and PyJWT (with cryptography, for ES256) importable by `ATOMO_INTEROP_PYTHON`.
    static let requirement = TestEnvironment.interopPython(importing: ["argon2", "bcrypt", "jwt", "cryptography"])

    static var script: URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("interop/auth/peer.py")
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func run(_ requests: [[String: Any]]) async throws -> [[String: Any]] {
        guard let python else { throw Failure(description: "ATOMO_INTEROP_PYTHON is not set") }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent(
            "atomo-auth-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: requests).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let outcome = try await HelperProcess(
            executable: URL(fileURLWithPath: python), arguments: [script.path], input: input, timeLimit: .seconds(300)
        ).finish()
        guard outcome.status == 0, !outcome.killedBySignal,
            let responses = try JSONSerialization.jsonObject(with: outcome.output) as? [[String: Any]]
        else { throw Failure(description: "peer.py failed (\(outcome.status)): \(outcome.errors)") }
        return responses
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
