import Foundation
public import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a group of tests needs from the machine it runs on — a PostgreSQL server, a Python with the
/// interop libraries, the `../shared/data` fixtures, a program on `PATH` — and the one rule for when it
/// is missing: the tests skip with the reason, unless `ATOMO_REQUIRE_ALL=1` is set (`.ci/run` sets
/// it), in which case they fail with the reason instead. A CI run therefore cannot go green by
/// skipping.
///
/// ```swift
/// @Suite("On PostgreSQL", TestEnvironment.postgres.trait)
/// struct PostgresTests { … }
/// ```
///
/// Each requirement is checked once per test process (the first test that needs it waits for the
/// check), by doing what the tests will do: connecting to the server, importing the modules.
public struct TestRequirement: Sendable {
    /// What is required, for messages: `PostgreSQL`, `the Python interop environment`.
    public let name: String
    /// How to provide it, for the skip message.
    public let advice: String
    private let probe: Probe

    /// A requirement named `name`; `check` returns nil when it is met, or why it is not.
    ///
    /// `check` runs at most once per instance; keep instances in `static let`s.
    public init(_ name: String, advice: String, check: @escaping @Sendable () async -> String?) {
        self.name = name
        self.advice = advice
        probe = Probe(check)
    }

    /// Why the requirement is not met, or nil when it is (checked once, then remembered).
    public func unmetReason() async -> String? { await probe.result() }

    /// Whether tests that need this should run (true), skip (false), or fail: throws
    /// ``TestRequirementNotMet`` when the requirement is not met and ``TestEnvironment/requiresAll``.
    public func evaluate() async throws -> Bool {
        guard let reason = await unmetReason() else { return true }
        if TestEnvironment.requiresAll { throw TestRequirementNotMet(requirement: name, reason: reason) }
        probe.reportSkipOnce(
            "\(name) is not available (\(reason)): its tests skip; ATOMO_REQUIRE_ALL=1 makes that a failure")
        return false
    }

    /// Throws ``TestRequirementNotMet`` unless the requirement is met, whatever ``TestEnvironment/requiresAll``
    /// says: for code that cannot run without it.
    public func require() async throws {
        if let reason = await unmetReason() { throw TestRequirementNotMet(requirement: name, reason: reason) }
    }

    /// A suite or test trait: runs when the requirement is met; otherwise skips with ``advice``, or —
    /// under `ATOMO_REQUIRE_ALL=1` — records a failure naming the requirement and the reason, for the
    /// suite and for each of its tests.
    public var trait: ConditionTrait {
        let requirement = self
        return .enabled(Comment(rawValue: "\(name) is not available: \(advice)")) { try await requirement.evaluate() }
    }

    /// Runs the check once and remembers its answer.
    private final class Probe: Sendable {
        private let check: @Sendable () async -> String?
        private let state = NSLock()
        nonisolated(unsafe) private var task: Task<String?, Never>?
        nonisolated(unsafe) private var reported = false

        init(_ check: @escaping @Sendable () async -> String?) { self.check = check }

        func result() async -> String? {
            let task = state.withLock {
                if let task = self.task { return task }
                let check = self.check
                let task = Task { await check() }
                self.task = task
                return task
            }
            return await task.value
        }

        func reportSkipOnce(_ message: String) {
            let first = state.withLock {
                defer { reported = true }
                return !reported
            }
            if first { FileHandle.standardError.write(Data("TestEnvironment: \(message)\n".utf8)) }
        }
    }
}

/// A requirement of a test that `ATOMO_REQUIRE_ALL=1` turned from a skip into a failure.
public struct TestRequirementNotMet: Error, CustomStringConvertible {
    /// The requirement's name.
    public let requirement: String
    /// Why it is not met.
    public let reason: String

    /// `PostgreSQL required (ATOMO_REQUIRE_ALL=1) but not reachable at …: connection refused`.
    public var description: String { "\(requirement) required (ATOMO_REQUIRE_ALL=1) but \(reason)" }
}

/// The requirements Atomo's tests share, and the switch that makes missing ones fail.
public enum TestEnvironment {
    /// Whether every requirement must be met: `ATOMO_REQUIRE_ALL` is `1` (or `true`). `.ci/run` sets it.
    public static var requiresAll: Bool {
        let value = ProcessInfo.processInfo.environment["ATOMO_REQUIRE_ALL"]?.lowercased()
        return value == "1" || value == "true" || value == "yes"
    }

    /// `ATOMO_POSTGRES_URL`, if set.
    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["ATOMO_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A PostgreSQL server at `ATOMO_POSTGRES_URL` that accepts a connection and answers `SELECT 1`.
    public static let postgres = TestRequirement(
        "PostgreSQL",
        advice:
            "set ATOMO_POSTGRES_URL=postgres://user@host:port/db to a running server (`eval \"$(scripts/start-postgres)\"` starts one; .ci/run does)"
    ) {
        guard let url = postgresURL else { return "ATOMO_POSTGRES_URL is not set" }
        return await PostgresProbe.unmetReason(url: url)
    }

    /// `ATOMO_INTEROP_PYTHON`, if set.
    public static var interopPython: String? {
        ProcessInfo.processInfo.environment["ATOMO_INTEROP_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A Python at `ATOMO_INTEROP_PYTHON` that imports `modules` (from Tests/interop/requirements.txt).
    public static func interopPython(importing modules: [String]) -> TestRequirement {
        TestRequirement(
            "The Python interop environment (\(modules.joined(separator: ", ")))",
            advice:
                "set ATOMO_INTEROP_PYTHON to a Python with Tests/interop/requirements.txt installed (scripts/test makes .build-venv-interop)"
        ) {
            guard let python = interopPython else { return "ATOMO_INTEROP_PYTHON is not set" }
            guard FileManager.default.isExecutableFile(atPath: python) else {
                return "ATOMO_INTEROP_PYTHON=\(python) is not an executable file"
            }
            let outcome: HelperProcess.Outcome
            do {
                outcome = try await HelperProcess(
                    executable: URL(fileURLWithPath: python),
                    arguments: ["-c", "import " + modules.joined(separator: ", ")],
                    timeLimit: .seconds(120)
                ).finish()
            } catch {
                return "ATOMO_INTEROP_PYTHON=\(python) cannot be run: \(error)"
            }
            guard outcome.status == 0, !outcome.killedBySignal else {
                let last =
                    outcome.errors.split(separator: "\n").last.map(String.init) ?? "exit status \(outcome.status)"
                return "ATOMO_INTEROP_PYTHON=\(python) cannot import \(modules.joined(separator: ", ")): \(last)"
            }
            return nil
        }
    }

    /// A program on `PATH`, such as `wrk`, `tsc` or `psql`; `install` says how to get it.
    public static func program(_ name: String, install: String) -> TestRequirement {
        TestRequirement("`\(name)`", advice: install) {
            path(of: name) == nil ? "`\(name)` is not on PATH" : nil
        }
    }

    /// The full path of `program` on `PATH`, or nil.
    public static func path(of program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}

/// Connects to a PostgreSQL server the way a client does — TCP, the startup message, `SELECT 1` —
/// without a driver, so that any test target can tell a running server from a set variable.
enum PostgresProbe {
    static func unmetReason(url: String) async -> String? {
        await withCheckedContinuation { continuation in
            // A thread of its own: the connect and reads block (for at most their timeouts).
            let thread = Thread { continuation.resume(returning: check(url: url)) }
            thread.start()
        }
    }

    /// The URL without its password, for messages.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "…"
        return components.string ?? url
    }

    private static func check(url: String) -> String? {
        let shown = redacted(url)
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else { return "ATOMO_POSTGRES_URL=\(shown) is not a postgres:// URL" }
        let host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        let port = components.port ?? 5432
        let user = components.user ?? "postgres"
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let database = path.isEmpty ? user : path
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let connection: Int32
        switch dial(host: host, port: port) {
        case .failure(let message): return "not reachable at \(shown): \(message)"
        case .success(let descriptor): connection = descriptor
        }
        defer { close(connection) }
        if ["require", "verify-ca", "verify-full"].contains(sslMode) {
            // The server must answer an SSLRequest with one byte, `S` or `N`; TLS itself is not spoken here.
            guard sendAll(connection, int32(8) + int32(80_877_103)),
                let answer = receiveExactly(connection, 1),
                answer == [UInt8(ascii: "S")] || answer == [UInt8(ascii: "N")]
            else { return "not reachable at \(shown): no PostgreSQL answer to an SSLRequest" }
            return nil
        }
        var body = int32(196_608)
        for (key, value) in [("user", user), ("database", database)] {
            body += Array(key.utf8) + [0] + Array(value.utf8) + [0]
        }
        body.append(0)
        guard sendAll(connection, int32(Int32(body.count + 4)) + body) else {
            return "not reachable at \(shown): could not send the startup message"
        }
        var queried = false
        while true {
            guard let header = receiveExactly(connection, 5) else {
                return "not reachable at \(shown): the server closed the connection or did not answer within 10 s"
            }
            let length = Int(header[1]) << 24 | Int(header[2]) << 16 | Int(header[3]) << 8 | Int(header[4])
            guard length >= 4, length < 1 << 20, let payload = receiveExactly(connection, length - 4) else {
                return "not reachable at \(shown): not a PostgreSQL server (malformed reply)"
            }
            switch header[0] {
            case UInt8(ascii: "R"):
                let code = payload.count >= 4 ? Int(payload[3]) : -1
                // A password request still proves a PostgreSQL server; the tests authenticate themselves.
                if code != 0 { return nil }
            case UInt8(ascii: "E"):
                return
                    "\(queried ? "SELECT 1 failed" : "the server refused the connection") at \(shown): \(errorText(payload))"
            case UInt8(ascii: "Z"):
                if queried {
                    _ = sendAll(connection, [UInt8(ascii: "X")] + int32(4))
                    return nil
                }
                let query = Array("SELECT 1".utf8) + [0]
                guard sendAll(connection, [UInt8(ascii: "Q")] + int32(Int32(query.count + 4)) + query) else {
                    return "not reachable at \(shown): could not send SELECT 1"
                }
                queried = true
            default:
                continue  // parameter status, backend key, row description, data row, command complete, notices
            }
        }
    }

    private enum Connected {
        case success(Int32)
        case failure(String)
    }

    private static func dial(host: String, port: Int) -> Connected {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            return .failure("cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address for \(host)"
        var current: UnsafeMutablePointer<addrinfo>? = first
        while let address = current {
            current = address.pointee.ai_next
            let descriptor = socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
            if descriptor < 0 {
                lastError = "socket: \(String(cString: strerror(errno)))"
                continue
            }
            // Bounds the connect (Linux applies the send timeout to it) and every read.
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if connect(descriptor, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                return .success(descriptor)
            }
            lastError = "connect to \(host):\(port): \(String(cString: strerror(errno)))"
            close(descriptor)
        }
        return .failure(lastError)
    }

    private static func sendAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, noSignal) }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    private static func receiveExactly(_ descriptor: Int32, _ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let read = bytes[offset...].withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if read <= 0 { return nil }
            offset += read
        }
        return bytes
    }

    /// `send` flags: no SIGPIPE when the server has gone (Linux; Darwin has no such flag).
    #if os(Linux)
    private static let noSignal = Int32(MSG_NOSIGNAL)
    #else
    private static let noSignal: Int32 = 0
    #endif

    private static func int32(_ value: Int32) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// The message (`M`) and SQLSTATE (`C`) fields of an ErrorResponse.
    private static func errorText(_ payload: [UInt8]) -> String {
        var fields: [UInt8: String] = [:]
        var index = 0
        while index < payload.count, payload[index] != 0 {
            let code = payload[index]
            let start = index + 1
            var end = start
            while end < payload.count, payload[end] != 0 { end += 1 }
            fields[code] = String(decoding: payload[start..<end], as: UTF8.self)
            index = end + 1
        }
        let message = fields[UInt8(ascii: "M")] ?? "unknown error"
        return fields[UInt8(ascii: "C")].map { "\(message) (SQLSTATE \($0))" } ?? message
    }
}
