public import AtomoSchema

/// What one audience sees of a declared schema: the entities it may read, their readable fields and
/// relations, and the operations it may ever perform. The GraphQL schema is built from this view.
///
/// Read rules are evaluated exactly as written, once per role with `{ role }`: an array names the
/// readable fields (`id` and the other system fields always come with a readable record), `true`
/// (or any other truthy value) allows every field, a falsy value hides the entity. A rule that reads
/// `record` or `user` cannot be decided per role, so every field stays present and nullable. Several
/// roles read the union of their fields. The anonymous audience (a request without a token) sees
/// only what rules grant by naming `'anonymous'`; an entity without rules is hidden from it.
///
/// ```swift
/// let view = SchemaView(schema: crm, audience: .role("Viewer"))
/// view.entity("Contact")?.fields.map(\.name)   // ["name", "email", "company"]
/// ```
public struct SchemaView: Sendable, Hashable {
    /// The declared schema.
    public let schema: Schema
    /// Whom the view is for.
    public let audience: SchemaAudience
    /// The entities the audience may read, in declaration order.
    public let entities: [EntityView]
    private let indexByName: [String: Int]

    /// Evaluates the schema's rules for `audience`.
    public init(schema: Schema, audience: SchemaAudience) {
        self.schema = schema
        self.audience = audience

        struct Decided {
            var fields: Set<String>?  // nil: every field
            var dependsOnRecord: Bool
            var mayCreate: Bool, mayUpdate: Bool, mayDelete: Bool
        }
        var decided: [String: Decided] = [:]
        for entity in schema.entities {
            // Callers without a token are denied by default: only rules naming `'anonymous'` grant them.
            let anonymous = audience.isAnonymous
            let anonymousRole = Principal.anonymousRoleName
            guard !audience.isSystem, let access = entity.access else {
                decided[entity.name] = Decided(
                    fields: anonymous ? [] : nil, dependsOnRecord: false, mayCreate: !anonymous, mayUpdate: !anonymous,
                    mayDelete: !anonymous)
                continue
            }
            let roles: [String?] =
                anonymous ? [anonymousRole] : audience.roles.isEmpty ? [nil] : audience.roles.map { $0 }
            var fields: Set<String>? = []
            var dependsOnRecord = false
            if anonymous && !(access.read?.comparesRole(with: anonymousRole) ?? false) {
                fields = []
            } else if let read = access.read {
                if read.refers(to: "record") || read.refers(to: "user") {
                    fields = nil
                    dependsOnRecord = true
                } else {
                    for role in roles {
                        switch read.evaluate(in: AccessContext(role: role)) {
                        case .array(let names):
                            fields?.formUnion(names.compactMap(\.stringValue))
                        case let value where value.isTruthy:
                            fields = nil
                        default:
                            break
                        }
                    }
                }
            } else {
                fields = nil
            }
            func may(_ operation: AccessOperation) -> Bool {
                guard let rule = access.rule(for: operation) else { return !anonymous }
                if anonymous && !rule.comparesRole(with: anonymousRole) { return false }
                if rule.refers(to: "record") || rule.refers(to: "user") { return true }
                return roles.contains { rule.evaluate(in: AccessContext(role: $0)).isTruthy }
            }
            decided[entity.name] = Decided(
                fields: fields, dependsOnRecord: dependsOnRecord, mayCreate: may(.create),
                mayUpdate: may(.update), mayDelete: may(.delete))
        }

        let readable = Set(
            schema.entities.filter { entity in
                guard let decision = decided[entity.name] else { return false }
                return decision.fields.map { !$0.isEmpty } ?? true
            }.map(\.name))

        var visibleFields: [String: [Field]] = [:]
        for entity in schema.entities where readable.contains(entity.name) {
            let allowed = decided[entity.name]?.fields
            visibleFields[entity.name] = entity.fields.filter { field in
                if let allowed, !allowed.contains(field.name) { return false }
                if case .reference(let target) = field.type { return readable.contains(target) }
                return true
            }
        }

        var relations: [String: [ReverseRelation]] = [:]
        for source in schema.entities where readable.contains(source.name) {
            let references = (visibleFields[source.name] ?? []).compactMap { field -> (Field, String)? in
                if case .reference(let target) = field.type { return (field, target) }
                return nil
            }
            for (field, target) in references {
                guard let targetEntity = schema.entity(target) else { continue }
                let base = EntityNames.lowerFirst(source.plural)
                let taken =
                    Set(targetEntity.fields.map(\.name)).union(Entity.systemFieldNames)
                    .union((relations[target] ?? []).map(\.fieldName))
                let several = references.filter { $0.1 == target }.count > 1
                let name = several || taken.contains(base) ? base + "By" + EntityNames.upperFirst(field.name) : base
                relations[target, default: []].append(
                    ReverseRelation(fieldName: name, sourceEntity: source.name, referenceField: field.name))
            }
        }

        entities = schema.entities.filter { readable.contains($0.name) }.map { entity in
            let decision = decided[entity.name]
            return EntityView(
                entity: entity, fields: visibleFields[entity.name] ?? [],
                readDependsOnRecord: decision?.dependsOnRecord ?? false,
                reverseRelations: relations[entity.name] ?? [], mayCreate: decision?.mayCreate ?? false,
                mayUpdate: decision?.mayUpdate ?? false, mayDelete: decision?.mayDelete ?? false)
        }
        indexByName = Dictionary(uniqueKeysWithValues: entities.enumerated().map { ($1.entity.name, $0) })
    }

    /// Whether the audience holds the platform `capability` under the schema's grants
    /// (``AtomoSchema/Schema/grants(_:to:)``, the rule the policy engine applies): system code holds
    /// every capability, a set of roles what any of them holds. Platform fields and contributed
    /// schema parts appear in the role schemas of audiences that hold what they need.
    public func holds(_ capability: PlatformCapability) -> Bool {
        audience.isSystem || audience.roles.contains { schema.grants(capability, to: $0) }
    }

    /// The view of the entity named `name`, or nil when the audience may not read it.
    public func entity(_ name: String) -> EntityView? {
        indexByName[name].map { entities[$0] }
    }

    /// Two views are equal when they are of the same schema for the same audience.
    public static func == (lhs: SchemaView, rhs: SchemaView) -> Bool {
        lhs.audience == rhs.audience && lhs.schema == rhs.schema
    }

    /// Hashes the audience and the schema.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(audience)
        hasher.combine(schema)
    }
}
