/// Grants platform capabilities to a role:
/// `Capabilities("Manager", .readAudit, .readMetrics, .runAction("scoreDeal"))`.
///
/// A role named by a `Capabilities` component holds exactly what its components grant; a role named
/// by none holds every capability when it is the first role and none otherwise (see
/// ``Schema/grants(_:to:)``). Several components for the same role add up.
public struct Capabilities: SchemaComponent {
    /// The role.
    public var role: String
    /// What it is granted.
    public var granted: [PlatformCapability]

    /// Grants `granted` to `role`.
    public init(_ role: String, _ granted: PlatformCapability...) {
        self.role = role
        self.granted = granted
    }

    /// Grants `granted` to `role` (an empty list declares that the role holds none).
    public init(_ role: String, _ granted: [PlatformCapability]) {
        self.role = role
        self.granted = granted
    }

    /// Adds the grants, without repeats.
    public func apply(to schema: inout Schema) {
        var current = schema.capabilities[role] ?? []
        for capability in granted where !current.contains(capability) { current.append(capability) }
        schema.capabilities[role] = current
    }
}
