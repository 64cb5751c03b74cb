public import Foundation

/// A login session: created at login, checked on every request, ended by logout, expiry, revocation
/// or a reused refresh token.
///
/// A session is also its refresh-token family: every refresh token issued for it (one at a time,
/// rotated on each use) belongs to it, and presenting an already-used one ends it.
public struct Session: Sendable, Hashable, Codable, Identifiable {
    /// The session id (`sid` in access tokens): 128 random bits, base64url.
    public var id: String
    /// The user it belongs to.
    public var userID: String
    /// The user's tenant, if any.
    public var tenant: String?
    /// When it was created.
    public var createdAt: Date
    /// When it expires; refreshing does not extend it.
    public var expiresAt: Date
    /// When it ended, if it did.
    public var endedAt: Date?
    /// Why it ended, if it did.
    public var endReason: SessionEndReason?

    /// Creates a session.
    public init(
        id: String, userID: String, tenant: String?, createdAt: Date, expiresAt: Date, endedAt: Date? = nil,
        endReason: SessionEndReason? = nil
    ) {
        self.id = id
        self.userID = userID
        self.tenant = tenant
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.endedAt = endedAt
        self.endReason = endReason
    }

    /// Whether the session may be used at `date`: not ended and not expired.
    public func isActive(at date: Date) -> Bool { endedAt == nil && date < expiresAt }

    /// A new random session id (128 bits, base64url).
    public static func makeID() -> String { SecretToken.random(byteCount: 16) }
}

/// Why a session ended.
public enum SessionEndReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// The user logged out.
    case logout
    /// An administrator or the host revoked it.
    case revoked
    /// Every session of the user was ended (for example "log out everywhere").
    case revokedAll
    /// An already-used refresh token of the session was presented again: it was probably stolen.
    case refreshTokenReused
    /// The user's password changed.
    case passwordChanged
    /// The user's roles changed, so tokens carrying the old roles must not live on.
    case rolesChanged
    /// The user was disabled.
    case userDisabled
}

/// Random secrets for session ids and refresh tokens.
enum SecretToken {
    /// `byteCount` random bytes from the system's CSPRNG, base64url.
    static func random(byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<byteCount).map { _ in generator.next() as UInt8 })
    }
}
