/// The differences between two versions of a schema, each classified as additive, compatible or breaking.
///
/// ```swift
/// let diff = SchemaDiff(from: deployed, to: declared)
/// if diff.isAdditiveOnly {
///     // migrate the read model in place
/// } else {
///     // rebuild it from the log (blue/green); register upcasters for diff.renamedFields
/// }
/// if diff.hasBreakingChanges { print(diff.changes.filter { $0.classification == .breaking }) }
/// ```
///
/// Entities, enums, block unions, variants and fields are matched by name; a field of the new schema
/// whose ``Field/formerNames`` holds the name of a field the new schema no longer has is a rename of it.
/// See ``SchemaChange/Classification`` for what each class means.
public struct SchemaDiff: Sendable, Hashable {
    /// Every change, in the order of the new schema's declarations (removals where the old one had them).
    public var changes: [SchemaChange]
    /// The fields renamed via ``Field/formerNames``, for upcasters of older events (block fields name
    /// their variant as `Union.Variant` in ``FieldRename/entity``).
    public var renamedFields: [FieldRename]

    /// Compares `old` with `new`.
    public init(from old: Schema, to new: Schema) {
        var builder = Builder()
        builder.compareRoles(old.roles, new.roles)
        builder.compareCapabilities(old, new)
        builder.compareEnums(old.enums, new.enums)
        builder.compareBlocks(old.blocks, new.blocks)
        builder.compareEntities(old.entities, new.entities)
        changes = builder.changes
        renamedFields = builder.renames
    }

    /// Whether the schemas are the same.
    public var isEmpty: Bool { changes.isEmpty }

    /// Whether every change is additive (true when there are none): the read model can migrate in place.
    public var isAdditiveOnly: Bool { changes.allSatisfy { $0.classification == .additive } }

    /// Whether some change is breaking.
    public var hasBreakingChanges: Bool { changes.contains { $0.classification == .breaking } }

    /// The most severe classification, or nil when nothing changed.
    public var classification: SchemaChange.Classification? { changes.map(\.classification).max() }
}

/// Collects the changes while walking both schemas.
private struct Builder {
    var changes: [SchemaChange] = []
    var renames: [FieldRename] = []

    mutating func add(
        _ kind: SchemaChange.Kind, _ location: String, _ message: String, _ classification: SchemaChange.Classification
    ) {
        changes.append(SchemaChange(kind, at: location, message, classification))
    }

    mutating func compareRoles(_ old: [String], _ new: [String]) {
        for role in new where !old.contains(role) { add(.roleAdded, "roles", "role '\(role)' was added", .additive) }
        for role in old where !new.contains(role) {
            add(.roleRemoved, "roles", "role '\(role)' was removed", .breaking)
        }
        let kept = new.filter(old.contains)
        if kept != old.filter(new.contains) { add(.rolesReordered, "roles", "the roles were reordered", .compatible) }
    }

    mutating func compareEnums(_ old: [EnumType], _ new: [EnumType]) {
        for enumType in new {
            let location = "enum \(enumType.name)"
            guard let before = old.first(where: { $0.name == enumType.name }) else {
                add(.enumAdded, location, "the enum was added with \(Self.list(enumType.values))", .additive)
                continue
            }
            for value in enumType.values where !before.values.contains(value) {
                add(.enumValueAdded, location, "value '\(value)' was added", .additive)
            }
            for value in before.values where !enumType.values.contains(value) {
                add(.enumValueRemoved, location, "value '\(value)' was removed", .breaking)
            }
            if enumType.values.filter(before.values.contains) != before.values.filter(enumType.values.contains) {
                add(.enumChanged, location, "the values were reordered", .compatible)
            }
            if enumType.description != before.description {
                add(.enumChanged, location, "the description changed", .compatible)
            }
        }
        for enumType in old where !new.contains(where: { $0.name == enumType.name }) {
            add(.enumRemoved, "enum \(enumType.name)", "the enum was removed", .breaking)
        }
    }

    mutating func compareBlocks(_ old: [BlockUnion], _ new: [BlockUnion]) {
        for union in new {
            guard let before = old.first(where: { $0.name == union.name }) else {
                add(
                    .blockUnionAdded, union.name,
                    "the block union was added with \(Self.list(union.variants.map(\.name)))", .additive)
                continue
            }
            for variant in union.variants {
                let location = "\(union.name).\(variant.name)"
                guard let previous = before.variant(variant.name) else {
                    add(.blockVariantAdded, location, "the variant was added", .additive)
                    continue
                }
                compareFields(previous.fields, variant.fields, owner: location, orderKind: .blockVariantChanged)
                if variant.description != previous.description {
                    add(.blockVariantChanged, location, "the description changed", .compatible)
                }
            }
            for variant in before.variants where union.variant(variant.name) == nil {
                add(.blockVariantRemoved, "\(union.name).\(variant.name)", "the variant was removed", .breaking)
            }
            let newNames = union.variants.map(\.name)
            let oldNames = before.variants.map(\.name)
            if newNames.filter(oldNames.contains) != oldNames.filter(newNames.contains) {
                add(.blockUnionChanged, union.name, "the variants were reordered", .compatible)
            }
            if union.description != before.description {
                add(.blockUnionChanged, union.name, "the description changed", .compatible)
            }
        }
        for union in old where !new.contains(where: { $0.name == union.name }) {
            add(.blockUnionRemoved, union.name, "the block union was removed", .breaking)
        }
    }

    mutating func compareEntities(_ old: [Entity], _ new: [Entity]) {
        for entity in new {
            guard let before = old.first(where: { $0.name == entity.name }) else {
                add(.entityAdded, entity.name, "the entity was added", .additive)
                continue
            }
            if entity.plural != before.plural {
                add(
                    .entityChanged, entity.name, "the plural changed from '\(before.plural)' to '\(entity.plural)'",
                    .compatible)
            }
            if entity.description != before.description {
                add(.entityChanged, entity.name, "the description changed", .compatible)
            }
            compareFields(before.fields, entity.fields, owner: entity.name, orderKind: .entityChanged)
            compareAccess(before.access, entity.access, entity: entity.name)
            compareActions(before.actions, entity.actions, entity: entity.name)
        }
        for entity in old where !new.contains(where: { $0.name == entity.name }) {
            add(.entityRemoved, entity.name, "the entity was removed", .breaking)
        }
    }

    mutating func compareFields(_ old: [Field], _ new: [Field], owner: String, orderKind: SchemaChange.Kind) {
        let newNames = Set(new.map(\.name))
        var matched: [(old: Field, new: Field)] = []
        for field in new {
            let location = "\(owner).\(field.name)"
            if let before = old.first(where: { $0.name == field.name }) {
                matched.append((before, field))
                compareField(before, field, location: location)
            } else if let formerName = field.formerNames.first(where: { name in
                !newNames.contains(name) && old.contains { $0.name == name }
            }), let before = old.first(where: { $0.name == formerName }) {
                matched.append((before, field))
                add(.fieldRenamed, location, "renamed from '\(formerName)'", .compatible)
                renames.append(FieldRename(entity: owner, from: formerName, to: field.name))
                compareField(before, field, location: location)
            } else {
                fieldAdded(field, location: location)
            }
        }
        let matchedOld = Set(matched.map(\.old.name))
        for field in old where !matchedOld.contains(field.name) {
            add(.fieldRemoved, "\(owner).\(field.name)", "the field was removed", .breaking)
        }
        let oldOrder = old.map(\.name).filter(matchedOld.contains)
        let newOrder = matched.map(\.old.name)
        if oldOrder != newOrder { add(orderKind, owner, "the fields were reordered", .compatible) }
    }

    mutating func fieldAdded(_ field: Field, location: String) {
        let type = field.type.displayName
        if field.isUnique, let value = field.defaultValue, value != .null {
            add(
                .fieldAdded, location,
                "a unique \(type) field with a default was added: existing records would share it", .breaking)
        } else if field.isRequired && field.defaultValue == nil && !Self.emptiesByDefault(field.type) {
            add(.fieldAdded, location, "a required \(type) field without a default was added", .breaking)
        } else {
            add(
                .fieldAdded, location, "\(field.isRequired ? "a required" : "an optional") \(type) field was added",
                .additive)
        }
    }

    mutating func compareField(_ old: Field, _ new: Field, location: String) {
        if old.type != new.type {
            if Self.converts(old.type, to: new.type) {
                add(
                    .fieldTypeChanged, location,
                    "the type widened from \(old.type.displayName) to \(new.type.displayName)", .compatible)
            } else {
                add(
                    .fieldTypeChanged, location,
                    "the type changed from \(old.type.displayName) to \(new.type.displayName), which stored values may not fit",
                    .breaking)
            }
        }
        if old.isRequired != new.isRequired {
            if !new.isRequired {
                add(.fieldRequirednessChanged, location, "the field became optional", .compatible)
            } else if new.defaultValue != nil || Self.emptiesByDefault(new.type) {
                add(.fieldRequirednessChanged, location, "the field became required, with a default", .compatible)
            } else {
                add(.fieldRequirednessChanged, location, "the field became required without a default", .breaking)
            }
        }
        if old.isUnique != new.isUnique {
            if new.isUnique {
                add(.fieldUniquenessChanged, location, "the field became unique: stored values may repeat", .breaking)
            } else {
                add(.fieldUniquenessChanged, location, "the field is no longer unique", .compatible)
            }
        }
        if old.isIndexed != new.isIndexed {
            add(
                .fieldIndexChanged, location,
                new.isIndexed ? "the field became indexed" : "the field is no longer indexed", .compatible)
        }
        if old.defaultValue != new.defaultValue {
            add(.fieldDefaultChanged, location, "the default changed", .compatible)
        }
        compareValidations(old.validations, new.validations, location: location)
        if old.pii != new.pii {
            add(
                .fieldClassificationChanged, location,
                "the PII classification changed from \(old.pii.rawValue) to \(new.pii.rawValue)", .compatible)
        }
        if old.description != new.description {
            add(.fieldDocumentationChanged, location, "the description changed", .compatible)
        }
        // A rename adds the old name to formerNames; that is reported as the rename, not again here.
        if old.formerNames != new.formerNames && !(new.formerNames.contains(old.name) && new.name != old.name) {
            add(.fieldDocumentationChanged, location, "the former names changed", .compatible)
        }
    }

    mutating func compareValidations(_ old: [FieldValidation], _ new: [FieldValidation], location: String) {
        guard old != new else { return }
        var tightened: [String] = []
        var relaxed: [String] = []
        // Bounds: one length and one range check per field is the norm; compare them bound by bound.
        let oldLength = old.compactMap(Self.lengthBounds).first
        let newLength = new.compactMap(Self.lengthBounds).first
        compareBounds(
            oldLength.map { ($0.0.map(Double.init), $0.1.map(Double.init)) },
            newLength.map { ($0.0.map(Double.init), $0.1.map(Double.init)) }, name: "length",
            tightened: &tightened, relaxed: &relaxed)
        compareBounds(
            old.compactMap(Self.rangeBounds).first, new.compactMap(Self.rangeBounds).first, name: "range",
            tightened: &tightened, relaxed: &relaxed)
        let oldPatterns = Set(old.compactMap(Self.pattern))
        let newPatterns = Set(new.compactMap(Self.pattern))
        for pattern in newPatterns.subtracting(oldPatterns).sorted() { tightened.append("pattern '\(pattern)' added") }
        for pattern in oldPatterns.subtracting(newPatterns).sorted() { relaxed.append("pattern '\(pattern)' removed") }
        let oldValues = old.compactMap(Self.oneOf).first
        let newValues = new.compactMap(Self.oneOf).first
        switch (oldValues, newValues) {
        case (nil, nil): break
        case (nil, .some): tightened.append("oneOf added")
        case (.some, nil): relaxed.append("oneOf removed")
        case (.some(let before), .some(let after)):
            if !Set(before).isSubset(of: Set(after)) {
                tightened.append("oneOf lost \(Self.list(before.filter { !after.contains($0) }))")
            } else if before != after {
                relaxed.append("oneOf widened")
            }
        }
        if !tightened.isEmpty {
            add(
                .fieldValidationChanged, location, "validation tightened: \(tightened.joined(separator: ", "))",
                .breaking)
        }
        if !relaxed.isEmpty {
            add(
                .fieldValidationChanged, location, "validation relaxed: \(relaxed.joined(separator: ", "))", .compatible
            )
        }
        if tightened.isEmpty && relaxed.isEmpty {
            add(.fieldValidationChanged, location, "the validations were reordered", .compatible)
        }
    }

    /// Compares optional (min, max) bounds; a missing check is (nil, nil), nil bounds are unbounded.
    func compareBounds(
        _ old: (Double?, Double?)?, _ new: (Double?, Double?)?, name: String, tightened: inout [String],
        relaxed: inout [String]
    ) {
        let (oldMin, oldMax) = old ?? (nil, nil)
        let (newMin, newMax) = new ?? (nil, nil)
        func describe(_ value: Double?) -> String {
            guard let value else { return "none" }
            return value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        }
        if oldMin != newMin {
            let tighter = newMin.map { new in oldMin.map { new > $0 } ?? true } ?? false
            let message = "\(name) min \(describe(oldMin)) → \(describe(newMin))"
            if tighter { tightened.append(message) } else { relaxed.append(message) }
        }
        if oldMax != newMax {
            let tighter = newMax.map { new in oldMax.map { new < $0 } ?? true } ?? false
            let message = "\(name) max \(describe(oldMax)) → \(describe(newMax))"
            if tighter { tightened.append(message) } else { relaxed.append(message) }
        }
    }

    /// Compares what each role of the new schema holds (a changed default counts too, when the first
    /// role changes); compatible, like access rules: no data changes.
    mutating func compareCapabilities(_ old: Schema, _ new: Schema) {
        for role in new.roles {
            let before = Set(old.capabilityNames(of: role))
            let after = Set(new.capabilityNames(of: role))
            guard before != after, old.roles.contains(role) else { continue }
            let added = after.subtracting(before).sorted()
            let removed = before.subtracting(after).sorted()
            var parts: [String] = []
            if !added.isEmpty { parts.append("granted " + added.joined(separator: ", ")) }
            if !removed.isEmpty { parts.append("no longer granted " + removed.joined(separator: ", ")) }
            add(.capabilitiesChanged, "capabilities.\(role)", parts.joined(separator: "; "), .compatible)
        }
    }

    mutating func compareAccess(_ old: EntityAccess?, _ new: EntityAccess?, entity: String) {
        for operation in [AccessOperation.read, .create, .update, .delete] {
            let before = old?.rule(for: operation)
            let after = new?.rule(for: operation)
            guard before != after else { continue }
            let what =
                switch (before, after) {
                case (nil, .some): "a rule was added"
                case (.some, nil): "the rule was removed (every role is allowed)"
                default: "the rule changed"
                }
            add(.accessChanged, "\(entity).access.\(operation.rawValue)", what, .compatible)
        }
    }

    mutating func compareActions(_ old: [ActionBinding], _ new: [ActionBinding], entity: String) {
        let location = "\(entity).actions"
        // Bindings are matched by (event, action); one on each side with another condition is a change.
        var keys: [String] = []
        for binding in new + old where !keys.contains("\(binding.event) \(binding.action)") {
            keys.append("\(binding.event) \(binding.action)")
        }
        for key in keys {
            let before = old.filter { "\($0.event) \($0.action)" == key }
            let after = new.filter { "\($0.event) \($0.action)" == key }
            guard before != after else { continue }
            if before.count == 1 && after.count == 1, let binding = after.first {
                add(
                    .actionChanged, location, "the condition of '\(binding.action)' on \(binding.event) changed",
                    .compatible)
                continue
            }
            for binding in after where !before.contains(binding) {
                add(.actionAdded, location, "'\(binding.action)' on \(binding.event) was added", .additive)
            }
            for binding in before where !after.contains(binding) {
                add(.actionRemoved, location, "'\(binding.action)' on \(binding.event) was removed", .compatible)
            }
        }
    }

    /// Whether every value of `old` is a valid value of `new` without conversion loss.
    static func converts(_ old: FieldType, to new: FieldType) -> Bool {
        switch (old, new) {
        case (_, .json): return old.isScalar || old == .json || { if case .list = old { true } else { false } }()
        case (.int, .float): return true
        case (.string, .text), (.text, .string): return true
        case (.email, .string), (.email, .text), (.url, .string), (.url, .text): return true
        case (.enumeration, .string), (.enumeration, .text): return true
        case (.list(let a), .list(let b)): return a == b || converts(a, to: b)
        default: return false
        }
    }

    /// Lists and blocks hold an empty list when not given, so "required" never leaves them null.
    static func emptiesByDefault(_ type: FieldType) -> Bool {
        switch type {
        case .list, .blocks: true
        default: false
        }
    }

    static func lengthBounds(_ validation: FieldValidation) -> (Int?, Int?)? {
        if case .length(let min, let max) = validation { (min, max) } else { nil }
    }

    static func rangeBounds(_ validation: FieldValidation) -> (Double?, Double?)? {
        if case .range(let min, let max) = validation { (min, max) } else { nil }
    }

    static func pattern(_ validation: FieldValidation) -> String? {
        if case .pattern(let pattern) = validation { pattern } else { nil }
    }

    static func oneOf(_ validation: FieldValidation) -> [String]? {
        if case .oneOf(let values) = validation { values } else { nil }
    }

    static func list(_ names: [String]) -> String {
        names.map { "'\($0)'" }.joined(separator: ", ")
    }
}
