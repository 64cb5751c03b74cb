import AtomoContent
import AtomoSchema
import Foundation

/// Turns GraphQL arguments (already coerced to their input types, as JSON) into the content
/// engine's queries: `where` → ``RecordFilter``, `orderBy` → ``SortKey``s, `first`/`after`/
/// `last`/`before` → ``PageRequest``. Both executors use it, so they ask the engine the same things.
enum QueryArguments {
    /// `where: { name: { eq: "Ada" }, company: { name: { startsWith: "A" } }, or: [...] }`.
    ///
    /// A reference's conditions filter the referenced record (one level: conditions on a reference
    /// inside them are rejected); conditions on the referenced record's `id` alone compare the
    /// reference itself, so `company: { id: { isNull: true } }` finds contacts without a company.
    static func filter(
        _ value: JSONValue?, entity: EntityView, view: SchemaView, nested: Bool = false
    ) throws(GraphQLFieldError)
        -> RecordFilter?
    {
        guard let value, case .object(let members) = value else { return nil }
        var parts: [RecordFilter] = []
        for key in members.keys.sorted() {
            guard let member = members[key], member != .null else { continue }
            switch key {
            case "and", "or":
                let list = member.arrayValue ?? [member]
                var filters: [RecordFilter] = []
                for element in list {
                    filters.append(try filter(element, entity: entity, view: view, nested: nested) ?? .and([]))
                }
                parts.append(key == "and" ? .and(filters) : .or(filters))
            case "not":
                parts.append(.not(try filter(member, entity: entity, view: view, nested: nested) ?? .and([])))
            default:
                if let field = entity.field(key), case .reference(let target) = field.type {
                    guard case .object(let inner) = member else { continue }
                    if inner.keys.allSatisfy({ $0 == "id" }) {
                        if let idConditions = inner["id"] {
                            parts.append(contentsOf: try predicates(key, idConditions))
                        }
                        continue
                    }
                    if nested {
                        throw GraphQLFieldError(
                            .badUserInput, "filters reach one level into references: \(key) is inside another reference"
                        )
                    }
                    guard let targetView = view.entity(target) else { continue }
                    parts.append(
                        .related(key, try filter(member, entity: targetView, view: view, nested: true) ?? .and([])))
                } else {
                    parts.append(contentsOf: try predicates(key, member))
                }
            }
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    private static func predicates(_ field: String, _ conditions: JSONValue) throws(GraphQLFieldError) -> [RecordFilter]
    {
        guard case .object(let members) = conditions else { return [] }
        var result: [RecordFilter] = []
        for name in members.keys.sorted() {
            guard let value = members[name], value != .null else { continue }
            let predicate: FieldPredicate
            switch name {
            case "eq": predicate = .eq(value)
            case "ne": predicate = .ne(value)
            case "in": predicate = .in(value.arrayValue ?? [value])
            case "notIn": predicate = .notIn(value.arrayValue ?? [value])
            case "lt": predicate = .lt(value)
            case "lte": predicate = .lte(value)
            case "gt": predicate = .gt(value)
            case "gte": predicate = .gte(value)
            case "contains": predicate = .contains(value.stringValue ?? "")
            case "startsWith": predicate = .startsWith(value.stringValue ?? "")
            case "isNull": predicate = .isNull(value.boolValue ?? true)
            default: throw GraphQLFieldError(.badUserInput, "unknown condition \(name)")
            }
            result.append(.field(field, predicate))
        }
        return result
    }

    /// `orderBy: [{ name: ASC }, { createdAt: DESC }]`: each element names exactly one field.
    static func sortKeys(_ value: JSONValue?) throws(GraphQLFieldError) -> [SortKey] {
        guard let value, value != .null else { return [] }
        var keys: [SortKey] = []
        for element in value.arrayValue ?? [value] {
            guard case .object(let members) = element else { continue }
            let given = members.filter { $0.value != .null }
            guard given.count == 1, let (field, direction) = given.first else {
                throw GraphQLFieldError(.badUserInput, "each orderBy element names exactly one field")
            }
            keys.append(SortKey(field, direction.stringValue == "DESC" ? .descending : .ascending))
        }
        return keys
    }

    /// `first`/`after`/`last`/`before` as a page; `first` and `last` are 0…`maxPageSize`.
    static func page(_ arguments: [String: JSONValue], limits: GraphQLLimits) throws(GraphQLFieldError) -> PageRequest {
        let first = arguments["first"]?.intValue
        let last = arguments["last"]?.intValue
        let after = arguments["after"]?.stringValue
        let before = arguments["before"]?.stringValue
        for (name, count) in [("first", first), ("last", last)] {
            if let count, count < 0 || count > Int64(limits.maxPageSize) {
                throw GraphQLFieldError(.badUserInput, "\(name) must be between 0 and \(limits.maxPageSize)")
            }
        }
        if first != nil, last != nil { throw GraphQLFieldError(.badUserInput, "give first or last, not both") }
        if let last { return .last(Int(last), before: before) }
        if before != nil, first == nil { return .last(limits.defaultPageSize, before: before) }
        return .first(Int(first ?? Int64(limits.defaultPageSize)), after: after)
    }

    /// The input of a create or update as the engine's field values (references are ids; blocks
    /// `{ paragraph: {...} }` become `{ "type": "Paragraph", ... }`).
    static func input(_ value: JSONValue?, entity: Entity, schema: Schema) -> [String: JSONValue] {
        guard case .object(let members)? = value else { return [:] }
        var result: [String: JSONValue] = [:]
        for (name, member) in members {
            if let field = entity.field(name), case .blocks(let unionName) = field.type,
                let union = schema.blockUnion(unionName),
                case .array(let blocks) = member
            {
                result[name] = .array(
                    blocks.map { block in
                        guard case .object(let oneOf) = block,
                            let (key, content) = oneOf.first(where: { $0.value != .null }),
                            let variant = union.variants.first(where: { EntityNames.lowerFirst($0.name) == key })
                        else { return block }
                        var object = content.objectValue ?? [:]
                        object["type"] = .string(variant.name)
                        return .object(object)
                    })
            } else {
                result[name] = member
            }
        }
        return result
    }

    /// An optional `Int` argument as a version.
    static func version(_ value: JSONValue?) -> Int64? { value?.intValue }

    /// An optional `DateTime` argument as a date.
    static func date(_ value: JSONValue?) throws(GraphQLFieldError) -> Date? {
        guard let string = value?.stringValue else { return nil }
        guard let date = AtomoScalars.parseDateTime(string) else {
            throw GraphQLFieldError(.badUserInput, "asOf is not an ISO 8601 instant")
        }
        return date
    }
}
