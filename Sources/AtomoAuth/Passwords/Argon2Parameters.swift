/// The cost parameters of argon2 hashing, as written into a PHC string (`m=…,t=…,p=…`).
///
/// The defaults are OWASP's recommendation for argon2id (Password Storage Cheat Sheet): 19 MiB of
/// memory, 2 iterations, 1 lane. Raise them when your servers can afford it; hashes made with lower
/// parameters are reported by ``PasswordHasher/needsRehash(_:)`` and re-hashed at the next login.
///
/// ```swift
/// let strong = Argon2Parameters(memoryKiB: 47_104, iterations: 1, parallelism: 1)
/// let hasher = PasswordHasher(configuration: .init(parameters: strong))
/// ```
public struct Argon2Parameters: Sendable, Hashable, CustomStringConvertible {
    /// Memory per hash in KiB (`m`).
    public var memoryKiB: Int
    /// Number of passes over the memory (`t`).
    public var iterations: Int
    /// Number of lanes (`p`).
    public var parallelism: Int
    /// Bytes of random salt per hash.
    public var saltLength: Int
    /// Bytes of hash output.
    public var hashLength: Int

    /// Creates parameters.
    public init(memoryKiB: Int, iterations: Int, parallelism: Int, saltLength: Int = 16, hashLength: Int = 32) {
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
        self.saltLength = saltLength
        self.hashLength = hashLength
    }

    /// OWASP's argon2id parameters: m = 19,456 KiB, t = 2, p = 1, a 16-byte salt and a 32-byte hash.
    public static let owasp = Argon2Parameters(memoryKiB: 19_456, iterations: 2, parallelism: 1)

    /// `m=19456,t=2,p=1`.
    public var description: String { "m=\(memoryKiB),t=\(iterations),p=\(parallelism)" }

    /// Checks the parameters against what libargon2 accepts and against limits that keep one hash
    /// from exhausting a server (at most 4 GiB of memory, 1,000 iterations, 255 lanes).
    func validate() throws(PasswordHashError) {
        guard parallelism >= 1 && parallelism <= 255 else {
            throw .invalidParameters("parallelism must be between 1 and 255, not \(parallelism)")
        }
        guard memoryKiB >= 8 * parallelism && memoryKiB <= 4 << 20 else {
            throw .invalidParameters("memory must be between \(8 * parallelism) KiB and 4 GiB, not \(memoryKiB) KiB")
        }
        guard iterations >= 1 && iterations <= 1000 else {
            throw .invalidParameters("iterations must be between 1 and 1000, not \(iterations)")
        }
        guard saltLength >= 8 && saltLength <= 64 else {
            throw .invalidParameters("the salt must have 8 to 64 bytes, not \(saltLength)")
        }
        guard hashLength >= 16 && hashLength <= 64 else {
            throw .invalidParameters("the hash must have 16 to 64 bytes, not \(hashLength)")
        }
    }
}
