public import Foundation

/// Why a token was refused. Each case names what was found and what was expected, for logs; tell
/// clients no more than "invalid token".
public enum TokenError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The token is longer than the verifier accepts.
    case oversized(length: Int, limit: Int)
    /// The token is not three base64url parts, or a part does not decode as JSON of the right shape.
    case malformed(reason: String)
    /// The header names another algorithm than the one pinned (including `none`).
    case algorithmNotAllowed(found: String, expected: String)
    /// The header has a `crit` extension this verifier does not understand, or a `typ` other than JWT.
    case unsupportedHeader(reason: String)
    /// The signature does not match the header and payload under the verifier's key.
    case invalidSignature
    /// `iss` is not the pinned issuer.
    case wrongIssuer(found: String, expected: String)
    /// `aud` does not contain the pinned audience.
    case wrongAudience(found: [String], expected: String)
    /// `exp` has passed (beyond the leeway).
    case expired(at: Date, now: Date)
    /// `nbf` is still ahead (beyond the leeway).
    case notYetValid(from: Date, now: Date)
    /// `iat` is in the future (beyond the leeway).
    case issuedInFuture(at: Date, now: Date)
    /// The key can only verify, not sign.
    case cannotSign(algorithm: String)
    /// Signing failed in the crypto library.
    case signingFailed(reason: String)

    /// A human-readable explanation.
    public var description: String {
        switch self {
        case .oversized(let length, let limit): "token of \(length) bytes exceeds the limit of \(limit)"
        case .malformed(let reason): "malformed token: \(reason)"
        case .algorithmNotAllowed(let found, let expected): "token algorithm \(found) is not the pinned \(expected)"
        case .unsupportedHeader(let reason): "unsupported token header: \(reason)"
        case .invalidSignature: "token signature is invalid"
        case .wrongIssuer(let found, let expected): "token issuer \(found) is not \(expected)"
        case .wrongAudience(let found, let expected): "token audience \(found) does not include \(expected)"
        case .expired(let at, let now): "token expired at \(at) (now \(now))"
        case .notYetValid(let from, let now): "token is not valid before \(from) (now \(now))"
        case .issuedInFuture(let at, let now): "token was issued in the future, at \(at) (now \(now))"
        case .cannotSign(let algorithm): "the \(algorithm) key can only verify tokens"
        case .signingFailed(let reason): "signing failed: \(reason)"
        }
    }
}
