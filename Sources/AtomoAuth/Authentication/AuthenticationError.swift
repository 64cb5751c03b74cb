public import Foundation

/// Every way an authentication operation can fail. Cases carry the values involved for logs;
/// what a client may be told is noted per case.
public enum AuthenticationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The email or the password is wrong — deliberately not saying which. Safe to show.
    case invalidCredentials
    /// Too many recent failures for this account or address: retry after the delay. Safe to show.
    case tooManyAttempts(retryAfter: Duration)
    /// The account or address is locked after too many failures, until the date. Safe to show.
    case locked(until: Date)
    /// The user is disabled (reported only after the right password).
    case userDisabled(userID: String)
    /// An email address is malformed.
    case invalidEmail(reason: String)
    /// Another user has this email (compared case-insensitively).
    case emailTaken(String)
    /// A role is not one of the configured roles.
    case unknownRole(String)
    /// No user has this id.
    case unknownUser(userID: String)
    /// The access token was refused.
    case invalidToken(TokenError)
    /// The token's session has ended or expired, or does not exist (logout revokes at once).
    case sessionInactive(sessionID: String)
    /// The refresh token is unknown or its session is no longer active.
    case invalidRefreshToken
    /// An already-used refresh token was presented: its whole session was ended.
    case refreshTokenReused(sessionID: String)
    /// A password hash handed to ``Authenticator/importUser(email:passwordHash:roles:tenant:as:)``
    /// is in no form AtomoAuth can verify.
    case unsupportedPasswordHash(reason: String)
    /// The acting principal does not hold the capability the operation needs (``AtomoSchema/PlatformCapability/manageUsers``
    /// for user administration). Safe to show.
    case forbidden(reason: String)
    /// The change would leave no enabled user holding ``AtomoSchema/PlatformCapability/manageUsers``
    /// (disabling the last administrator, or taking away its last role that grants the capability),
    /// and so no way back short of the `atomo users` recovery commands. Safe to show.
    case lastAdministrator(userID: String)

    /// A human-readable explanation.
    public var description: String {
        switch self {
        case .invalidCredentials: "invalid email or password"
        case .tooManyAttempts(let after): "too many failed logins; retry after \(after)"
        case .locked(let until): "locked after too many failed logins until \(until)"
        case .userDisabled(let id): "user \(id) is disabled"
        case .invalidEmail(let reason): "invalid email address: \(reason)"
        case .emailTaken(let email): "the email address \(email) is already registered"
        case .unknownRole(let role): "unknown role \(role)"
        case .unknownUser(let id): "no user has id \(id)"
        case .invalidToken(let error): "invalid access token: \(error)"
        case .sessionInactive(let id): "session \(id) has ended or expired"
        case .invalidRefreshToken: "invalid refresh token"
        case .refreshTokenReused(let id): "a used refresh token was presented again; session \(id) was ended"
        case .unsupportedPasswordHash(let reason): "unsupported password hash: \(reason)"
        case .forbidden(let reason): "forbidden: \(reason)"
        case .lastAdministrator(let id):
            "user \(id) is the last enabled user who may manage users; grant manageUsers to another enabled user first"
        }
    }
}
