public import AtomoSchema
import Synchronization

/// The one access policy every entry point uses: it evaluates the schema's access rules
/// (``AtomoSchema/EntityAccess``) for a principal, an operation, an entity, the record and the
/// fields an update changes.
///
/// How a decision is made:
/// - ``AtomoSchema/Principal/system`` is allowed everything and reads every field.
/// - Each of the principal's roles that the schema declares is evaluated on its own, with
///   `{ role, user, record }` bound; the principal is allowed what any of its roles is allowed and
///   reads the union of their readable fields. Roles the schema does not declare grant nothing.
/// - An anonymous principal (``AtomoSchema/Principal/isAnonymous``: a request without a token) is
///   denied by default: it is allowed an operation only by a rule that names it, comparing `role`
///   with `'anonymous'` (``AtomoSchema/Principal/anonymousRoleName``), evaluated with `role` bound to
///   `'anonymous'`. An absent rule, `true`, or `role !== 'Viewer'` does not include it.
/// - An authenticated principal without declared roles is allowed only by rules that do not look at
///   `role` at all (an absent rule, `true`, or a rule on the record alone): it must never pass
///   `role !== 'Viewer'` just because its role is null.
/// - `read` yields field names (or `true`/`false`); `create`, `update` and `delete` (which also governs
///   restore) yield whether the operation is allowed. An absent rule allows every authenticated role.
/// - A create or update is also denied when a changed field is a system field (`id`, `version`, …),
///   not declared by the entity, or not readable by the role that allows the operation: nobody
///   writes what they may not see.
/// - Reading is allowed when the readable set is not empty; it then includes the system fields.
/// - Platform capabilities (``AtomoSchema/PlatformCapability``: `manageUsers`, `readEventLog`, …) are
///   held by a principal when one of its declared roles holds them under the schema's grants
///   (``AtomoSchema/Schema/grants(_:to:)``: by default the first role holds all, the others none).
///
/// The engine is a reference type so that the host and every module that asks it share one
/// instance: ``replaceSchema(_:)`` (hot reload) changes the roles and grants all of them see.
///
/// ```swift
/// let policy = PolicyEngine(schema: schema)
/// let decision = policy.decide(AccessRequest(principal: user.principal, operation: .update,
///                                            entity: contact, record: stored, changedFields: ["email"]))
/// if case .deny(let reason) = decision { throw Forbidden(reason) }
/// let visible = policy.readableFields(of: contact, record: stored, for: user.principal)
/// ```
public final class PolicyEngine: AccessPolicy {
    /// The schema and the set of its roles, replaced together.
    private struct Rules: Sendable {
        let schema: Schema
        let declaredRoles: Set<String>
        init(_ schema: Schema) {
            self.schema = schema
            self.declaredRoles = Set(schema.roles)
        }
    }

    private let rules: Mutex<Rules>

    /// The schema whose rules are evaluated.
    public var schema: Schema { rules.withLock { $0.schema } }

    private var declaredRoles: Set<String> { rules.withLock { $0.declaredRoles } }

    /// A policy over `schema`'s rules, roles and capability grants.
    public init(schema: Schema) {
        self.rules = Mutex(Rules(schema))
    }

    /// Evaluates `schema`'s roles and capability grants from now on (a reloaded schema). Entity rules
    /// always come with the entity a request names, so they follow the engine's schema by themselves.
    public func replaceSchema(_ schema: Schema) {
        rules.withLock { $0 = Rules(schema) }
    }

    /// ``replaceSchema(_:)``: the content engine calls it after migrating to a reloaded schema.
    public func schemaDidChange(to schema: Schema) { replaceSchema(schema) }

    /// Whether `principal` holds `capability`: system code always; a user when one of its declared
    /// roles is granted it by the schema; an anonymous principal never.
    public func decide(_ capability: PlatformCapability, for principal: Principal) -> AccessDecision {
        if principal.isSystem { return .allow }
        let schema = self.schema
        if principal.roles.contains(where: { schema.grants(capability, to: $0) }) { return .allow }
        if principal.roles.isEmpty {
            return .deny(reason: "a principal without roles does not hold the capability \(capability.name)")
        }
        return .deny(
            reason: "roles \(principal.roles.joined(separator: ", ")) do not hold the capability \(capability.name)")
    }

    /// Allows or denies `request`, with the reason for a denial.
    public func decide(_ request: AccessRequest) -> AccessDecision {
        let principal = request.principal
        if principal.isSystem { return .allow }
        let entity = request.entity
        let roles = evaluatedRoles(of: principal)
        let describedRoles = principal.roles.isEmpty ? "no roles" : "roles \(principal.roles.joined(separator: ", "))"

        if request.operation == .read {
            for role in roles where !readable(entity, record: request.record, role: role, principal: principal).isEmpty
            {
                return .allow
            }
            return .deny(reason: "\(describedRoles) may read no field of \(entity.name)")
        }

        let systemFields = Set(Entity.systemFieldNames)
        if request.operation == .create || request.operation == .update {
            if let field = request.changedFields.sorted().first(where: { systemFields.contains($0) }) {
                return .deny(reason: "\(field) is a system field of \(entity.name) and cannot be written")
            }
            if let field = request.changedFields.sorted().first(where: { entity.field($0) == nil }) {
                return .deny(reason: "\(entity.name) has no field \(field)")
            }
        }

        var hiddenFields: Set<String> = []
        for role in roles
        where allows(entity, request.operation, record: request.record, role: role, principal: principal) {
            guard request.operation == .create || request.operation == .update else { return .allow }
            let visible = readable(entity, record: request.record, role: role, principal: principal)
            let hidden = request.changedFields.subtracting(visible)
            if hidden.isEmpty { return .allow }
            hiddenFields.formUnion(hidden)
        }
        if !hiddenFields.isEmpty {
            return .deny(
                reason: "\(describedRoles) may \(request.operation.rawValue) \(entity.name) but not write "
                    + hiddenFields.sorted().joined(separator: ", ") + ", which it may not read")
        }
        return .deny(reason: "\(describedRoles) may not \(request.operation.rawValue) \(entity.name)")
    }

    /// The fields of `entity` that `principal` may read on `record` (or on any record, when nil).
    public func readableFields(of entity: Entity, record: JSONValue?, for principal: Principal) -> Set<String> {
        if principal.isSystem { return allFields(of: entity) }
        var fields: Set<String> = []
        for role in evaluatedRoles(of: principal) {
            fields.formUnion(readable(entity, record: record, role: role, principal: principal))
        }
        return fields
    }

    /// The roles to evaluate: the principal's declared roles, or a single `nil` (no role) when it has
    /// none; `anonymous` for an anonymous principal.
    private func evaluatedRoles(of principal: Principal) -> [String?] {
        if principal.isAnonymous { return [Principal.anonymousRoleName] }
        let declared = declaredRoles
        let roles = principal.roles.filter { declared.contains($0) }
        return roles.isEmpty ? [nil] : roles.map { $0 }
    }

    private func allows(
        _ entity: Entity, _ operation: AccessOperation, record: JSONValue?, role: String?, principal: Principal
    )
        -> Bool
    {
        if principal.isAnonymous {
            // Deny by default: only a rule that names the anonymous principal grants it anything.
            guard let rule = entity.access?.rule(for: operation),
                rule.comparesRole(with: Principal.anonymousRoleName)
            else { return false }
            return rule.evaluate(in: AccessContext(role: role, user: principal.userValue, record: record)).isTruthy
        }
        guard let rule = entity.access?.rule(for: operation) else { return true }
        if role == nil && rule.refers(to: "role") { return false }
        return rule.evaluate(in: AccessContext(role: role, user: principal.userValue, record: record)).isTruthy
    }

    private func readable(_ entity: Entity, record: JSONValue?, role: String?, principal: Principal) -> Set<String> {
        if principal.isAnonymous {
            guard let rule = entity.access?.read, rule.comparesRole(with: Principal.anonymousRoleName) else { return [] }
        }
        guard let rule = entity.access?.read else { return allFields(of: entity) }
        if role == nil && rule.refers(to: "role") { return [] }
        let value = rule.evaluate(in: AccessContext(role: role, user: principal.userValue, record: record))
        var fields: Set<String>
        switch value {
        case .array(let names):
            let declared = Set(entity.fields.map(\.name))
            fields = Set(
                names.compactMap { name -> String? in
                    if case .string(let text) = name, declared.contains(text) || Entity.systemFieldNames.contains(text)
                    {
                        return text
                    }
                    return nil
                })
        default:
            fields = value.isTruthy ? allFields(of: entity) : []
        }
        // System fields come with any readable record (ids for references and cursors, versions for updates).
        if !fields.isEmpty { fields.formUnion(Entity.systemFieldNames) }
        return fields
    }

    private func allFields(of entity: Entity) -> Set<String> {
        Set(entity.fields.map(\.name)).union(Entity.systemFieldNames)
    }
}
