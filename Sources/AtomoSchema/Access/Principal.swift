/// Who is asking: a user with roles in a tenant, the system itself, or nobody.
///
/// Every command and query of AtomoContent takes a principal and asks an ``AccessPolicy`` about it.
/// A principal with several roles is allowed what any of its roles is allowed, and reads the union
/// of their readable fields.
///
/// ```swift
/// let principal = Principal(userID: "user-7", email: "ada@example.com", roles: ["Sales"], tenant: "acme")
/// ```
public struct Principal: Sendable, Hashable {
    /// The user's id, or nil for the system and anonymous principals.
    public var userID: String?
    /// The user's email, when known.
    public var email: String?
    /// The user's roles.
    public var roles: [String]
    /// The tenant the principal acts in, if any.
    public var tenant: String?
    /// The session the request belongs to, if any.
    public var sessionID: String?
    /// Whether this is trusted server-side code, which access rules do not restrict.
    public var isSystem: Bool

    /// Creates a user principal.
    public init(
        userID: String?, email: String? = nil, roles: [String], tenant: String? = nil, sessionID: String? = nil
    ) {
        self.userID = userID
        self.email = email
        self.roles = roles
        self.tenant = tenant
        self.sessionID = sessionID
        self.isSystem = false
    }

    private init(system: Bool) {
        userID = nil
        email = nil
        roles = []
        tenant = nil
        sessionID = nil
        isSystem = system
    }

    /// Trusted server-side code (migrations, workers, seeding): every operation is allowed.
    public static let system = Principal(system: true)
    /// Nobody (a request without a token): it may do only what an access rule grants by naming it
    /// (`role === 'anonymous'`); an absent rule does not include it. It holds no capability.
    public static let anonymous = Principal(system: false)

    /// The role name an access rule compares `role` with to grant callers without a token:
    /// `read: ({ role }) => role === 'anonymous' ? ['id', 'name'] : true`. No schema may declare it.
    public static let anonymousRoleName = "anonymous"

    /// Whether this is a caller nobody authenticated: not the system, no user, no roles.
    public var isAnonymous: Bool { !isSystem && userID == nil && roles.isEmpty }

    /// The name recorded as an event's actor: the user id, `system` or `anonymous`.
    public var actorName: String {
        if let userID { return userID }
        return isSystem ? "system" : "anonymous"
    }

    /// The principal as access rules see `user`: `{ id, email, roles, tenant }`.
    public var userValue: JSONValue {
        .object([
            "id": userID.map(JSONValue.string) ?? .null,
            "email": email.map(JSONValue.string) ?? .null,
            "roles": .array(roles.map(JSONValue.string)),
            "tenant": tenant.map(JSONValue.string) ?? .null,
        ])
    }
}
