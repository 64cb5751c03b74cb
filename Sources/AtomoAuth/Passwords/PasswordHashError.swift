/// Every way hashing or verifying a password can fail. A wrong password is not an error:
/// ``PasswordHasher/verify(_:against:)`` returns false.
public enum PasswordHashError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stored hash is not a PHC argon2 string or a bcrypt hash this library understands.
    /// The hash itself is deliberately not repeated.
    case unrecognizedHash(reason: String)
    /// Argon2 parameters are outside what is accepted.
    case invalidParameters(String)
    /// libargon2 or libcrypt reported an error.
    case libraryFailure(library: String, code: Int32, message: String)
    /// Too many hashes are already waiting for a hashing thread; try again later.
    case overloaded(queued: Int, limit: Int)
    /// The hasher was closed.
    case closed

    /// A human-readable explanation.
    public var description: String {
        switch self {
        case .unrecognizedHash(let reason): "unrecognised password hash: \(reason)"
        case .invalidParameters(let message): "invalid argon2 parameters: \(message)"
        case .libraryFailure(let library, let code, let message): "\(library) failed with code \(code): \(message)"
        case .overloaded(let queued, let limit): "\(queued) password hashes are already queued (limit \(limit))"
        case .closed: "the password hasher is closed"
        }
    }
}
