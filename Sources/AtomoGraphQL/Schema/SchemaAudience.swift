public import AtomoSchema

/// Whom a GraphQL schema is built for: a set of roles (usually one), or trusted system code.
///
/// A principal with several roles reads the union of what its roles read, so its schema is the one
/// built for that set of roles. Schemas are cached per audience.
///
/// ```swift
/// SchemaAudience.role("Sales")
/// SchemaAudience(principal: principal)   // its roles, or .system
/// ```
public struct SchemaAudience: Sendable, Hashable, CustomStringConvertible {
    /// The roles, sorted and without repeats.
    public let roles: [String]
    /// Whether this is trusted system code, which access rules do not restrict.
    public let isSystem: Bool
    /// Whether this is the caller without a token (``AtomoSchema/Principal/isAnonymous``), who is
    /// granted only what rules name `'anonymous'` for.
    public let isAnonymous: Bool

    /// An audience of the given roles (authenticated users; ``anonymous`` is the caller without a token).
    public init(roles: some Sequence<String>) {
        self.roles = Array(Set(roles)).sorted()
        self.isSystem = false
        self.isAnonymous = false
    }

    private init(system: Bool, anonymous: Bool) {
        roles = []
        isSystem = system
        isAnonymous = anonymous
    }

    /// The audience a principal belongs to: ``system`` for system principals, ``anonymous`` for
    /// callers without a token, otherwise its roles.
    public init(principal: Principal) {
        if principal.isSystem {
            self = .system
        } else if principal.isAnonymous {
            self = .anonymous
        } else {
            self = SchemaAudience(roles: principal.roles)
        }
    }

    /// One role.
    public static func role(_ role: String) -> SchemaAudience { SchemaAudience(roles: [role]) }

    /// Trusted server-side code: every field of every entity.
    public static let system = SchemaAudience(system: true, anonymous: false)

    /// The caller without a token.
    public static let anonymous = SchemaAudience(system: false, anonymous: true)

    /// `Sales`, `Admin+Sales`, `(system)`, `(anonymous)` or `(no roles)`.
    public var description: String {
        if isSystem { return "(system)" }
        if isAnonymous { return "(anonymous)" }
        return roles.isEmpty ? "(no roles)" : roles.joined(separator: "+")
    }
}
