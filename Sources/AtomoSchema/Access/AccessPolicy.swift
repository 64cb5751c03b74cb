/// Decides whether a principal may do an operation on an entity's record, and which fields it may read.
///
/// Every entry point — the Swift API of AtomoContent, GraphQL, REST, sync — asks the same policy.
/// AtomoAuth's policy engine evaluates the schema's ``EntityAccess`` rules; ``UnrestrictedAccessPolicy``
/// allows everything (for trusted code and tests of other concerns).
///
/// The protocol lives here rather than in AtomoContent so that AtomoAuth can implement it without
/// depending on the content engine.
public protocol AccessPolicy: Sendable {
    /// Whether `request` is allowed; a denial carries a reason for logs and error messages.
    func decide(_ request: AccessRequest) -> AccessDecision

    /// The names of the fields of `entity` that `principal` may read, on `record` if given (its stored
    /// values), or for any record when `record` is nil and the rule does not depend on it. System
    /// fields (`id`, `version`, …) are included whenever the record is readable at all.
    func readableFields(of entity: Entity, record: JSONValue?, for principal: Principal) -> Set<String>

    /// Whether `principal` holds the platform `capability` (managing users, reading the event log,
    /// running an action, …); a denial carries the reason.
    func decide(_ capability: PlatformCapability, for principal: Principal) -> AccessDecision

    /// Told by the content engine that serves with this policy when its schema is replaced (hot
    /// reload), so that a policy that reads the schema's roles and grants follows it. Entity rules
    /// come with each request's entity and need nothing here.
    func schemaDidChange(to schema: Schema)
}

extension AccessPolicy {
    /// Does nothing: the policy reads nothing of the schema beyond each request's entity.
    public func schemaDidChange(to schema: Schema) {}
}

/// One question to an ``AccessPolicy``.
public struct AccessRequest: Sendable, Hashable {
    /// Who is asking.
    public var principal: Principal
    /// What they want to do.
    public var operation: AccessOperation
    /// The entity.
    public var entity: Entity
    /// The record: stored values for update, delete, restore and read; the input for create.
    public var record: JSONValue?
    /// For updates, the names of the fields the update changes.
    public var changedFields: Set<String>

    /// Creates a request.
    public init(
        principal: Principal, operation: AccessOperation, entity: Entity, record: JSONValue? = nil,
        changedFields: Set<String> = []
    ) {
        self.principal = principal
        self.operation = operation
        self.entity = entity
        self.record = record
        self.changedFields = changedFields
    }
}

/// A policy's answer.
public enum AccessDecision: Sendable, Hashable {
    /// Allowed.
    case allow
    /// Denied, with the reason (which rule, which role).
    case deny(reason: String)

    /// Whether the answer is ``allow``.
    public var isAllowed: Bool { self == .allow }
}

/// A policy that allows every operation and every field: for trusted server-side code.
public struct UnrestrictedAccessPolicy: AccessPolicy {
    /// Creates the policy.
    public init() {}

    /// Allows.
    public func decide(_ request: AccessRequest) -> AccessDecision { .allow }

    /// Every declared field and every system field.
    public func readableFields(of entity: Entity, record: JSONValue?, for principal: Principal) -> Set<String> {
        Set(entity.fields.map(\.name)).union(Entity.systemFieldNames)
    }

    /// Allows.
    public func decide(_ capability: PlatformCapability, for principal: Principal) -> AccessDecision { .allow }
}
