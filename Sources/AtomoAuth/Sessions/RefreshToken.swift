import Crypto
import Foundation

/// The stored form of a refresh token: its SHA-256, hex. The token itself is given to the client
/// once and never stored, so a leaked sessions table cannot be replayed.
///
/// Refresh tokens are 256 random bits, so a fast unsalted hash is enough: there is nothing to
/// brute-force (unlike passwords).
public struct RefreshTokenHash: Sendable, Hashable, CustomStringConvertible {
    /// 64 lowercase hex digits.
    public let hex: String

    /// The hash of `token`.
    public init(of token: String) {
        let digest = SHA256.hash(data: Array(token.utf8))
        hex = digest.map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
        }.joined()
    }

    /// Wraps a stored hex hash.
    public init(hex: String) { self.hex = hex }

    /// The hex digits.
    public var description: String { hex }

    /// A new random refresh token (256 bits, base64url) and its hash.
    public static func makeToken() -> (token: String, hash: RefreshTokenHash) {
        let token = SecretToken.random(byteCount: 32)
        return (token, RefreshTokenHash(of: token))
    }
}

/// What happened when a refresh token was presented to ``SessionStore/rotateRefreshToken(_:to:at:)``.
public enum RefreshRotation: Sendable, Hashable {
    /// The token was the session's current one: it is now used, and `next` is the current one.
    case rotated(Session)
    /// The token had already been used: the whole session (the token's family) is now ended with
    /// ``SessionEndReason/refreshTokenReused``.
    case reuseDetected(Session)
    /// The token belongs to a session that has ended or expired; nothing changed.
    case sessionInactive(Session)
    /// No session has this token.
    case unknown
}

/// Every way a session store operation can fail (besides the database's own errors).
public enum SessionStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A session with this id already exists.
    case duplicateSession(id: String)
    /// The stored data could not be read back.
    case corrupted(String)

    /// A human-readable explanation.
    public var description: String {
        switch self {
        case .duplicateSession(let id): "a session with id \(id) already exists"
        case .corrupted(let message): "the session store is corrupted: \(message)"
        }
    }
}
