public import AtomoEvents

/// A user of the platform, as the fold of its events (stream `User-<id>`).
///
/// ```swift
/// let users = AggregateRepository<User>(store: store)
/// let user = try await users.load(id).state
/// user.roles        // ["Sales"]
/// user.isDisabled   // false
/// ```
public struct User: Aggregate, Hashable {
    /// `User`.
    public static let category = "User"
    /// The user events.
    public static let eventTypes: [any Event.Type] = [
        UserRegistered.self, UserRolesChanged.self, UserDisabled.self, UserEnabled.self, UserPasswordChanged.self,
    ]

    /// The user id.
    public let id: String
    /// The email address as registered.
    public var email = ""
    /// The current roles.
    public var roles: [String] = []
    /// The tenant, if any.
    public var tenant: String?
    /// Whether the user is disabled.
    public var isDisabled = false
    /// Whether a `UserRegistered` event exists.
    public var isRegistered = false
    /// How many times the password hash changed (including re-hashes).
    public var passwordChanges = 0

    /// A user before any event.
    public init(id: String) { self.id = id }

    /// Applies one event.
    public mutating func apply(_ event: any Event) {
        switch event {
        case let registered as UserRegistered:
            email = registered.email
            roles = registered.roles
            tenant = registered.tenant
            isRegistered = true
        case let changed as UserRolesChanged: roles = changed.roles
        case is UserDisabled: isDisabled = true
        case is UserEnabled: isDisabled = false
        case is UserPasswordChanged: passwordChanges += 1
        default: break
        }
    }
}

/// The audit record of one session, as the fold of its events (stream `Session-<id>`).
public struct SessionRecord: Aggregate, Hashable {
    /// `Session`.
    public static let category = "Session"
    /// The session events.
    public static let eventTypes: [any Event.Type] = [SessionStarted.self, SessionEnded.self]

    /// The session id.
    public let id: String
    /// The user, once started.
    public var userID: String?
    /// Whether it started.
    public var started = false
    /// Why it ended, if it did.
    public var endReason: SessionEndReason?

    /// A session record before any event.
    public init(id: String) { self.id = id }

    /// Applies one event.
    public mutating func apply(_ event: any Event) {
        switch event {
        case let started as SessionStarted:
            userID = started.userID
            self.started = true
        case let ended as SessionEnded: endReason = ended.reason
        default: break
        }
    }
}
