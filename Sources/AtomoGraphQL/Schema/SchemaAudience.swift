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

    /// An audience of the given roles.
    public init(roles: some Sequence<String>) {
        self.roles = Array(Set(roles)).sorted()
        self.isSystem = false
    }

    private init(system: Bool) {
        roles = []
        isSystem = system
    }

    /// The audience a principal belongs to: ``system`` for system principals, otherwise its roles.
    public init(principal: Principal) {
        self = principal.isSystem ? .system : SchemaAudience(roles: principal.roles)
    }

    /// One role.
    public static func role(_ role: String) -> SchemaAudience { SchemaAudience(roles: [role]) }

    /// Trusted server-side code: every field of every entity.
    public static let system = SchemaAudience(system: true)

    /// `Sales`, `Admin+Sales`, `(system)` or `(anonymous)`.
    public var description: String {
        if isSystem { return "(system)" }
        return roles.isEmpty ? "(anonymous)" : roles.joined(separator: "+")
    }
}
