/// Something a principal may do to the platform itself rather than to an entity's records: manage
/// users, read the raw event log or the audit log, operate projectors or jobs, read metrics, run an
/// action.
///
/// Capabilities are granted per role in the schema (``Schema/capabilities``) and decided by the one
/// ``AccessPolicy`` every entry point asks (``AccessPolicy/decide(_:for:)``) — no module compares a
/// role name. Each has a stable name, used in the canonical JSON and `schema.ts`:
/// `manageUsers`, `readEventLog`, `readAudit`, `operateProjections`, `operateJobs`, `readMetrics`, and
/// `runAction:NAME` (`runAction:*` grants every action).
///
/// ```swift
/// PlatformCapability(name: "runAction:scoreDeal")   // .runAction("scoreDeal")
/// PlatformCapability.manageUsers.name               // "manageUsers"
/// ```
public enum PlatformCapability: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Create users, change their roles, disable and enable them, reset their passwords, list them
    /// and other users' sessions.
    case manageUsers
    /// Read the raw event log (every stream, every payload) and follow it live.
    case readEventLog
    /// Read the audit log of changes across entities (still filtered by each entity's read rules).
    case readAudit
    /// Resume, skip, rebuild and otherwise operate projectors.
    case operateProjections
    /// Run the direct action `name`; `"*"` stands for every action.
    case runAction(String)
    /// List, retry and cancel durable jobs.
    case operateJobs
    /// Read the server's metrics.
    case readMetrics

    /// The capabilities that take no argument, in documentation order.
    public static let named: [PlatformCapability] = [
        .manageUsers, .readEventLog, .readAudit, .operateProjections, .operateJobs, .readMetrics,
    ]

    /// Every action: `runAction:*`.
    public static let everyAction = PlatformCapability.runAction("*")

    /// The prefix of an action capability's name.
    static let actionPrefix = "runAction:"

    /// The capability called `name` (`manageUsers`, `runAction:scoreDeal`), or nil when there is none.
    public init?(name: String) {
        if let capability = Self.named.first(where: { $0.name == name }) {
            self = capability
            return
        }
        guard name.hasPrefix(Self.actionPrefix) else { return nil }
        let action = String(name.dropFirst(Self.actionPrefix.count))
        guard action == "*" || Schema.isIdentifier(action) else { return nil }
        self = .runAction(action)
    }

    /// The stable name: `manageUsers`, …, `runAction:NAME`.
    public var name: String {
        switch self {
        case .manageUsers: "manageUsers"
        case .readEventLog: "readEventLog"
        case .readAudit: "readAudit"
        case .operateProjections: "operateProjections"
        case .runAction(let action): Self.actionPrefix + action
        case .operateJobs: "operateJobs"
        case .readMetrics: "readMetrics"
        }
    }

    /// The name.
    public var description: String { name }

    /// Whether holding `self` allows `capability`: equal, or `runAction:*` for any action.
    public func covers(_ capability: PlatformCapability) -> Bool {
        if self == capability { return true }
        if case .runAction("*") = self, case .runAction = capability { return true }
        return false
    }

    /// Decodes the name.
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let capability = PlatformCapability(name: name) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: "unknown capability '\(name)' (expected one of "
                        + Self.named.map(\.name).joined(separator: ", ") + " or runAction:NAME)"))
        }
        self = capability
    }

    /// Encodes the name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

extension Schema {
    /// Whether `role` holds `capability` under this schema's grants.
    ///
    /// A role listed in ``capabilities`` holds exactly what it lists (`runAction:*` covering every
    /// action). A role not listed holds every capability when it is the first declared role (the
    /// `Admin` of the default roles) and none otherwise — so a schema that says nothing about
    /// capabilities keeps its first role in charge, and granting a second role something never takes
    /// the first role's away by accident. A role the schema does not declare holds nothing.
    public func grants(_ capability: PlatformCapability, to role: String) -> Bool {
        guard roles.contains(role) else { return false }
        if let granted = capabilities[role] { return granted.contains { $0.covers(capability) } }
        return role == roles.first
    }

    /// The capabilities `role` holds by name, for display (`runAction:*` stands for every action).
    public func capabilityNames(of role: String) -> [String] {
        guard roles.contains(role) else { return [] }
        if let granted = capabilities[role] { return granted.map(\.name) }
        return role == roles.first ? (PlatformCapability.named + [.everyAction]).map(\.name) : []
    }
}
