/// Declares the roles principals can hold, in order: `Roles("Admin", "Manager", "Viewer")`.
///
/// Several `Roles` components add up; a schema without one has ``Schema/defaultRoles``.
public struct Roles: SchemaComponent {
    /// The roles.
    public var names: [String]

    /// Declares roles.
    public init(_ names: String...) { self.names = names }

    /// Declares roles from a list.
    public init(_ names: [String]) { self.names = names }

    /// Appends the roles.
    public func apply(to schema: inout Schema) { schema.roles += names }
}
