public import AtomoEvents
public import Foundation

// The events of users and sessions: the audit trail of authentication. They carry no secrets —
// password hashes and refresh tokens live in the credentials and session tables only.

/// A user registered (or was imported from another system). Stream `User-<id>`.
public struct UserRegistered: Event, Hashable {
    /// `UserRegistered`.
    public static let eventType = "UserRegistered"
    /// The user id.
    public var userID: String
    /// The email address as given (unique case-insensitively).
    public var email: String
    /// The roles granted at registration.
    public var roles: [String]
    /// The tenant, if any.
    public var tenant: String?
    /// Whether the password hash came from another system rather than being set here.
    public var imported: Bool

    /// Creates the event.
    public init(userID: String, email: String, roles: [String], tenant: String?, imported: Bool) {
        self.userID = userID
        self.email = email
        self.roles = roles
        self.tenant = tenant
        self.imported = imported
    }
}

/// A user's roles were replaced.
public struct UserRolesChanged: Event, Hashable {
    /// `UserRolesChanged`.
    public static let eventType = "UserRolesChanged"
    /// The roles before.
    public var previous: [String]
    /// The roles now.
    public var roles: [String]

    /// Creates the event.
    public init(previous: [String], roles: [String]) {
        self.previous = previous
        self.roles = roles
    }
}

/// A user was disabled: no login, every session ended.
public struct UserDisabled: Event, Hashable {
    /// `UserDisabled`.
    public static let eventType = "UserDisabled"
    /// Why, for the audit trail.
    public var reason: String

    /// Creates the event.
    public init(reason: String) { self.reason = reason }
}

/// A disabled user was enabled again.
public struct UserEnabled: Event, Hashable {
    /// `UserEnabled`.
    public static let eventType = "UserEnabled"

    /// Creates the event.
    public init() {}
}

/// A user's password hash was replaced. The hash itself is not in the event.
public struct UserPasswordChanged: Event, Hashable {
    /// `UserPasswordChanged`.
    public static let eventType = "UserPasswordChanged"
    /// Why the hash changed.
    public var reason: Reason
    /// The scheme of the new hash, e.g. `argon2id m=19456,t=2,p=1`.
    public var scheme: String

    /// Why a password hash changed.
    public enum Reason: String, Codable, Sendable, Hashable {
        /// The user chose a new password.
        case changed
        /// The same password was re-hashed at login with the current algorithm and parameters.
        case rehashed
    }

    /// Creates the event.
    public init(reason: Reason, scheme: String) {
        self.reason = reason
        self.scheme = scheme
    }
}

/// A session started at login. Stream `Session-<id>`.
public struct SessionStarted: Event, Hashable {
    /// `SessionStarted`.
    public static let eventType = "SessionStarted"
    /// The session id.
    public var sessionID: String
    /// The user.
    public var userID: String
    /// The tenant, if any.
    public var tenant: String?
    /// When the session expires.
    public var expiresAt: Date
    /// The client's address, if the host passed it.
    public var clientAddress: String?

    /// Creates the event.
    public init(sessionID: String, userID: String, tenant: String?, expiresAt: Date, clientAddress: String?) {
        self.sessionID = sessionID
        self.userID = userID
        self.tenant = tenant
        self.expiresAt = expiresAt
        self.clientAddress = clientAddress
    }
}

/// A session ended.
public struct SessionEnded: Event, Hashable {
    /// `SessionEnded`.
    public static let eventType = "SessionEnded"
    /// The session id.
    public var sessionID: String
    /// The user.
    public var userID: String
    /// Why it ended.
    public var reason: SessionEndReason

    /// Creates the event.
    public init(sessionID: String, userID: String, reason: SessionEndReason) {
        self.sessionID = sessionID
        self.userID = userID
        self.reason = reason
    }
}
