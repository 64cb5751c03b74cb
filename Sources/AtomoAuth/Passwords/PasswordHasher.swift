import AtomoSQL
import CArgon2
import CCrypt
import Foundation

/// Hashes passwords with argon2id and verifies argon2id, argon2i and bcrypt hashes.
///
/// New hashes are argon2id PHC strings with the configured ``Argon2Parameters`` (OWASP's by default)
/// and a 16-byte random salt. Verification also accepts argon2i PHC strings and bcrypt
/// `$2a$`/`$2b$`/`$2y$` hashes from older systems; ``needsRehash(_:)`` tells when a stored hash
/// should be replaced (another algorithm, or lower parameters), which ``Authenticator`` does at the
/// next successful login.
///
/// Every hash and verification runs on the hasher's own threads, never on Swift's cooperative pool:
/// at most ``Configuration/maximumConcurrentHashes`` run at once, and at most
/// ``Configuration/maximumQueuedHashes`` wait; beyond that, calls fail at once with
/// ``PasswordHashError/overloaded(queued:limit:)``. A flood of logins therefore costs a bounded number
/// of cores and memory (each argon2id hash holds `memoryKiB` while it runs), and other requests keep
/// being served.
///
/// ```swift
/// let hasher = PasswordHasher()
/// let stored = try await hasher.hash("correct horse battery staple")
/// try await hasher.verify("correct horse battery staple", against: stored)   // true
/// hasher.needsRehash(stored)                                                 // false
/// ```
public final class PasswordHasher: Sendable {
    /// How the hasher hashes and how much work it does at once.
    public struct Configuration: Sendable {
        /// The argon2id parameters of new hashes.
        public var parameters: Argon2Parameters
        /// How many hashes or verifications run at once (the hasher's thread count).
        public var maximumConcurrentHashes: Int
        /// How many may wait for a thread before new calls fail with `overloaded`.
        public var maximumQueuedHashes: Int

        /// Creates a configuration. By default OWASP's parameters, half the cores (at least one)
        /// hashing at once, and 256 waiting.
        public init(
            parameters: Argon2Parameters = .owasp,
            maximumConcurrentHashes: Int = PasswordHasher.defaultConcurrency,
            maximumQueuedHashes: Int = 256
        ) {
            self.parameters = parameters
            self.maximumConcurrentHashes = max(1, maximumConcurrentHashes)
            self.maximumQueuedHashes = max(0, maximumQueuedHashes)
        }
    }

    /// Half the cores, at least one: what ``Configuration`` uses by default.
    public static var defaultConcurrency: Int { max(1, ProcessInfo.processInfo.activeProcessorCount / 2) }

    /// The configuration the hasher was made with.
    public let configuration: Configuration
    /// The hasher's threads: never the cooperative pool, where one argon2id hash (tens of
    /// milliseconds of a core) per login in a burst would stall every other request of the server.
    private let pool: BlockingThreads<Void>

    /// Creates a hasher and starts its threads.
    /// - Throws: ``PasswordHashError/invalidParameters(_:)`` when the parameters are out of range.
    public init(configuration: Configuration = Configuration()) throws(PasswordHashError) {
        try configuration.parameters.validate()
        self.configuration = configuration
        // argon2's memory and bcrypt's crypt_data are allocated on the heap: a small stack does.
        self.pool = BlockingThreads(
            name: "atomo-hash", threadCount: configuration.maximumConcurrentHashes, stackSize: 1 << 20,
            queueLimit: configuration.maximumQueuedHashes)
    }

    deinit { pool.close(wait: false) }

    /// Stops the hasher's threads once queued work is done; later calls throw ``PasswordHashError/closed``.
    public func close() { pool.close(wait: false) }

    /// Runs `body` on one of the hasher's threads.
    private func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.run({ _ in try body() }) { refusal in
            switch refusal {
            case .closed: return PasswordHashError.closed
            case .overloaded(let waiting, let limit): return PasswordHashError.overloaded(queued: waiting, limit: limit)
            }
        }
    }

    /// Hashes `password` with argon2id, a fresh random salt and the configured parameters.
    ///
    /// - Returns: a PHC string, e.g. `$argon2id$v=19$m=19456,t=2,p=1$…$…`.
    /// - Throws: ``PasswordHashError``.
    public func hash(_ password: String) async throws -> String {
        let parameters = configuration.parameters
        return try await run { try Self.argon2idHash(password, parameters: parameters) }
    }

    /// Whether `password` matches `encodedHash` (argon2id, argon2i or bcrypt). The comparison is
    /// constant-time.
    ///
    /// - Throws: ``PasswordHashError/unrecognizedHash(reason:)`` when the stored hash is in no form
    ///   this library understands, or ``PasswordHashError/overloaded(queued:limit:)``.
    public func verify(_ password: String, against encodedHash: String) async throws -> Bool {
        let format = try PasswordHashFormat(parsing: encodedHash)
        return try await run { try Self.verifyNow(password, against: encodedHash, format: format) }
    }

    /// Whether `encodedHash` should be replaced by a new hash: it is not argon2id of the current
    /// version, or any of its parameters is below the configured ones. Unrecognised hashes need it too.
    public func needsRehash(_ encodedHash: String) -> Bool {
        guard let format = try? PasswordHashFormat(parsing: encodedHash) else { return true }
        let wanted = configuration.parameters
        switch format {
        case .bcrypt: return true
        case .argon2(let variant, let version, let parameters):
            return variant != .argon2id || version != PasswordHashFormat.currentArgon2Version
                || parameters.memoryKiB < wanted.memoryKiB || parameters.iterations < wanted.iterations
                || parameters.parallelism < wanted.parallelism || parameters.saltLength < wanted.saltLength
                || parameters.hashLength < wanted.hashLength
        }
    }

    // MARK: - Blocking implementations (run on the pool's threads only)

    static func argon2idHash(_ password: String, parameters: Argon2Parameters) throws(PasswordHashError) -> String {
        var salt = [UInt8](repeating: 0, count: parameters.saltLength)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        let length = argon2_encodedlen(
            UInt32(parameters.iterations), UInt32(parameters.memoryKiB), UInt32(parameters.parallelism),
            UInt32(parameters.saltLength), UInt32(parameters.hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length + 1)
        var passwordBytes = Array(password.utf8)
        defer { wipe(&passwordBytes) }
        let code = passwordBytes.withUnsafeBytes { passwordBuffer in
            salt.withUnsafeBytes { saltBuffer in
                encoded.withUnsafeMutableBufferPointer { output in
                    argon2id_hash_encoded(
                        UInt32(parameters.iterations), UInt32(parameters.memoryKiB), UInt32(parameters.parallelism),
                        passwordBuffer.baseAddress, passwordBuffer.count, saltBuffer.baseAddress, saltBuffer.count,
                        parameters.hashLength, output.baseAddress, output.count)
                }
            }
        }
        guard code == ARGON2_OK.rawValue else { throw argon2Failure(code) }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func verifyNow(
        _ password: String, against encodedHash: String, format: PasswordHashFormat
    ) throws(PasswordHashError) -> Bool {
        switch format {
        case .argon2(let variant, _, _):
            var passwordBytes = Array(password.utf8)
            defer { wipe(&passwordBytes) }
            let code = passwordBytes.withUnsafeBytes { passwordBuffer in
                argon2_verify(
                    encodedHash, passwordBuffer.baseAddress, passwordBuffer.count,
                    variant == .argon2id ? Argon2_id : Argon2_i)
            }
            if code == ARGON2_OK.rawValue { return true }
            if code == ARGON2_VERIFY_MISMATCH.rawValue { return false }
            throw argon2Failure(code)
        case .bcrypt:
            return try bcryptVerify(password, against: encodedHash)
        }
    }

    /// bcrypt through libxcrypt's `crypt_rn`, which is reentrant with its state in `crypt_data`.
    private static func bcryptVerify(_ password: String, against encodedHash: String) throws(PasswordHashError) -> Bool
    {
        // bcrypt reads a C string: a password with a NUL byte would be cut short and could match a
        // different password, so it never matches. bcrypt uses at most 72 bytes, as every
        // implementation does (Python's `bcrypt` refuses longer passwords when hashing).
        var passwordBytes = Array(password.utf8)
        defer { wipe(&passwordBytes) }
        guard !passwordBytes.contains(0) else { return false }
        passwordBytes.append(0)
        let data = UnsafeMutableRawPointer.allocate(
            byteCount: MemoryLayout<crypt_data>.size, alignment: MemoryLayout<crypt_data>.alignment)
        data.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
        defer {
            data.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
            data.deallocate()
        }
        let result = passwordBytes.withUnsafeBufferPointer { phrase in
            phrase.withMemoryRebound(to: CChar.self) { phrase in
                crypt_rn(phrase.baseAddress, encodedHash, data, Int32(MemoryLayout<crypt_data>.size))
            }
        }
        guard let result else {
            let code = errno
            throw .libraryFailure(library: "libcrypt", code: code, message: String(cString: strerror(code)))
        }
        return constantTimeEquals(Array(String(cString: result).utf8), Array(encodedHash.utf8))
    }

    private static func argon2Failure(_ code: Int32) -> PasswordHashError {
        .libraryFailure(library: "libargon2", code: code, message: String(cString: argon2_error_message(code)))
    }

    private static func wipe(_ bytes: inout [UInt8]) {
        for index in bytes.indices { bytes[index] = 0 }
    }
}

/// Compares two byte strings in time that depends only on their lengths.
func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
    return difference == 0
}
