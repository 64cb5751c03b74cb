/// What a stored password hash is: its scheme and parameters, read from the hash itself.
///
/// Understood forms:
/// - argon2 PHC strings, `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` (and `$argon2i$…`; the
///   version part may be missing in hashes from 2015–2016 libraries);
/// - bcrypt, `$2a$`, `$2b$` or `$2y$` followed by a two-digit cost, a 22-character salt and a
///   31-character hash.
///
/// ```swift
/// let format = try PasswordHashFormat(parsing: storedHash)
/// if case .bcrypt(_, let cost) = format { print("legacy bcrypt, cost \(cost)") }
/// ```
public enum PasswordHashFormat: Sendable, Hashable {
    /// argon2 in PHC form.
    case argon2(variant: Argon2Variant, version: Int, parameters: Argon2Parameters)
    /// bcrypt with its prefix (`2a`, `2b`, `2y`) and cost (log₂ of the rounds).
    case bcrypt(prefix: String, cost: Int)

    /// The argon2 variants that can be verified. argon2d is not accepted: it is not meant for passwords.
    public enum Argon2Variant: String, Sendable, Hashable {
        /// argon2id, the recommended variant and the one new hashes use.
        case argon2id
        /// argon2i, verified for hashes made by older systems.
        case argon2i
    }

    /// The argon2 version this library writes: 0x13 (19).
    public static let currentArgon2Version = 0x13

    /// Reads the scheme and parameters of `encoded`.
    /// - Throws: ``PasswordHashError/unrecognizedHash(reason:)`` when it is neither form.
    public init(parsing encoded: String) throws(PasswordHashError) {
        if encoded.hasPrefix("$argon2") {
            self = try Self.parseArgon2(encoded)
        } else if encoded.hasPrefix("$2") {
            self = try Self.parseBcrypt(encoded)
        } else {
            throw .unrecognizedHash(reason: "neither an argon2 PHC string nor a bcrypt hash")
        }
    }

    private static func parseArgon2(_ encoded: String) throws(PasswordHashError) -> PasswordHashFormat {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5 || parts.count == 6, parts[0].isEmpty else {
            throw .unrecognizedHash(reason: "an argon2 PHC string has 4 or 5 `$`-separated parts")
        }
        guard let variant = Argon2Variant(rawValue: String(parts[1])) else {
            throw .unrecognizedHash(reason: "argon2 variant `\(parts[1])` is not argon2id or argon2i")
        }
        var index = 2
        var version = 0x10
        if parts.count == 6 {
            guard parts[2].hasPrefix("v="), let parsed = Int(parts[2].dropFirst(2)), parsed == 0x10 || parsed == 0x13
            else {
                throw .unrecognizedHash(reason: "argon2 version must be v=16 or v=19")
            }
            version = parsed
            index = 3
        }
        var memory: Int?
        var iterations: Int?
        var parallelism: Int?
        for pair in parts[index].split(separator: ",", omittingEmptySubsequences: false) {
            let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard keyValue.count == 2, let value = Int(keyValue[1]), value >= 0 else {
                throw .unrecognizedHash(reason: "argon2 parameters are `m=…,t=…,p=…`")
            }
            switch keyValue[0] {
            case "m" where memory == nil: memory = value
            case "t" where iterations == nil: iterations = value
            case "p" where parallelism == nil: parallelism = value
            default: throw .unrecognizedHash(reason: "unknown or repeated argon2 parameter `\(keyValue[0])`")
            }
        }
        guard let memory, let iterations, let parallelism else {
            throw .unrecognizedHash(reason: "argon2 parameters need m, t and p")
        }
        guard let salt = Base64.decodedLength(unpadded: parts[index + 1]),
            let hash = Base64.decodedLength(unpadded: parts[index + 2])
        else {
            throw .unrecognizedHash(reason: "argon2 salt and hash are unpadded base64")
        }
        let parameters = Argon2Parameters(
            memoryKiB: memory, iterations: iterations, parallelism: parallelism, saltLength: salt, hashLength: hash)
        do {
            try parameters.validate()
        } catch {
            throw .unrecognizedHash(reason: "\(error)")
        }
        return .argon2(variant: variant, version: version, parameters: parameters)
    }

    private static func parseBcrypt(_ encoded: String) throws(PasswordHashError) -> PasswordHashFormat {
        let bytes = Array(encoded.utf8)
        guard bytes.count == 60, bytes[0] == UInt8(ascii: "$"), bytes[3] == UInt8(ascii: "$"),
            bytes[6] == UInt8(ascii: "$")
        else {
            throw .unrecognizedHash(reason: "a bcrypt hash is `$2b$NN$` followed by 53 characters")
        }
        let prefix = String(decoding: bytes[1...2], as: UTF8.self)
        guard ["2a", "2b", "2y"].contains(prefix) else {
            throw .unrecognizedHash(reason: "bcrypt prefix must be 2a, 2b or 2y")
        }
        guard let cost = Int(String(decoding: bytes[4...5], as: UTF8.self)), (4...31).contains(cost) else {
            throw .unrecognizedHash(reason: "bcrypt cost must be 04 to 31")
        }
        let alphabet = Set("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        guard bytes[7...].allSatisfy({ alphabet.contains($0) }) else {
            throw .unrecognizedHash(reason: "bcrypt salt and hash use the alphabet ./A-Za-z0-9")
        }
        return .bcrypt(prefix: prefix, cost: cost)
    }
}
