import AtomoSchema
import AtomoSQL
import Foundation

/// A field a query can name: a declared scalar column or a system column.
struct QueryField {
    let name: String
    /// The column, quoted.
    let sql: String
    let storage: ColumnStorage
    /// The declared type; nil for system fields.
    let type: FieldType?
    /// Whether the column can hold null (declared fields).
    let isNullable: Bool
    let isTime: Bool

    /// The column's name as result rows report it.
    var columnName: String { sql.hasPrefix("\"") ? String(sql.dropFirst().dropLast()) : sql }

    static func resolve(_ name: String, in entity: EntityModel) throws(ContentError) -> QueryField {
        switch name {
        case "id": return QueryField(name: name, sql: "id", storage: .text, type: nil, isNullable: false, isTime: false)
        case "version": return QueryField(name: name, sql: "_version", storage: .integer, type: nil, isNullable: false, isTime: false)
        case "createdAt": return QueryField(name: name, sql: "_created_at", storage: .integer, type: nil, isNullable: false, isTime: true)
        case "updatedAt": return QueryField(name: name, sql: "_updated_at", storage: .integer, type: nil, isNullable: false, isTime: true)
        case "createdBy": return QueryField(name: name, sql: "_created_by", storage: .text, type: nil, isNullable: true, isTime: false)
        case "updatedBy": return QueryField(name: name, sql: "_updated_by", storage: .text, type: nil, isNullable: true, isTime: false)
        default:
            guard let column = entity.columnsByName[name] else { throw .unknownField(entity: entity.name, field: name) }
            return QueryField(
                name: name, sql: column.column.quoted, storage: column.storage, type: column.field.type, isNullable: true,
                isTime: false)
        }
    }
}

/// Compiles filter trees and orderings to SQL text with placeholders; every value is bound.
///
/// Names are checked against the schema and the principal's readable fields before any SQL is
/// written; identifiers come from the schema (validated `SQLIdentifier`s), never from the query.
struct FilterCompiler {
    let model: ContentModel
    let dialect: SQLDialect
    /// The fields the principal may read, per entity name (nil: all).
    let readable: (EntityModel) -> Set<String>?
    private(set) var values: [SQLValue] = []

    init(model: ContentModel, dialect: SQLDialect, readable: @escaping (EntityModel) -> Set<String>?) {
        self.model = model
        self.dialect = dialect
        self.readable = readable
    }

    static let maximumListValues = 10_000
    static let maximumStringBytes = 64 * 1024
    /// Conditions on fields in one filter, at most: SQL engines refuse expressions much deeper than
    /// this (SQLite at a depth of 1000), and a filter this size is already an abuse.
    static let maximumTerms = 256
    /// `and` / `or` / `not` nested in one another, at most.
    static let maximumNesting = 32
    /// Field conditions compiled so far.
    private var terms = 0

    mutating func bind(_ value: SQLValue) -> String {
        values.append(value)
        return dialect.placeholder(values.count)
    }

    /// Resolves a field a principal names in a filter or ordering.
    func field(_ name: String, in entity: EntityModel, purpose: String) throws(ContentError) -> QueryField {
        let field = try QueryField.resolve(name, in: entity)
        if let readable = readable(entity), !readable.contains(name), !Entity.systemFieldNames.contains(name) {
            throw .forbidden("\(entity.name).\(name) cannot be read, so it cannot be used to \(purpose)")
        }
        if field.storage == .json {
            throw .invalidFilter("\(entity.name).\(name) is a \(field.type?.displayName ?? "json") field and cannot be used to \(purpose)")
        }
        return field
    }

    mutating func compile(
        _ filter: RecordFilter, entity: EntityModel, depth: Int = 0, nesting: Int = 0
    ) throws(ContentError) -> String {
        guard nesting <= Self.maximumNesting else {
            throw .invalidFilter("a filter nests and/or/not at most \(Self.maximumNesting) levels deep")
        }
        switch filter {
        case .and(let filters):
            guard !filters.isEmpty else { return "1 = 1" }
            var parts: [String] = []
            for filter in filters { parts.append(try compile(filter, entity: entity, depth: depth, nesting: nesting + 1)) }
            return "(" + parts.joined(separator: " AND ") + ")"
        case .or(let filters):
            guard !filters.isEmpty else { return "1 = 0" }
            var parts: [String] = []
            for filter in filters { parts.append(try compile(filter, entity: entity, depth: depth, nesting: nesting + 1)) }
            return "(" + parts.joined(separator: " OR ") + ")"
        case .not(let inner):
            // A null comparison is unknown in SQL; NOT of unknown stays unknown. COALESCE makes
            // "not (field = x)" include records where field is null, as the fold does.
            let condition = try compile(inner, entity: entity, depth: depth, nesting: nesting + 1)
            return "NOT COALESCE(\(condition), \(dialect.booleanLiteral(false)))"
        case .related(let name, let inner):
            guard depth == 0 else { throw .invalidFilter("related filters go one level deep (\(entity.name).\(ContentError.quoted(name)))") }
            let field = try self.field(name, in: entity, purpose: "filter")
            guard case .reference(let targetName)? = field.type, let target = model.entities[targetName] else {
                throw .invalidFilter("\(entity.name).\(name) is not a reference")
            }
            let condition = try compile(inner, entity: target, depth: depth + 1, nesting: nesting + 1)
            return "\(field.sql) IN (SELECT id FROM \(target.view.quoted) WHERE _deleted = 0 AND \(condition))"
        case .field(let name, let predicate):
            terms += 1
            guard terms <= Self.maximumTerms else {
                throw .invalidFilter("a filter has at most \(Self.maximumTerms) conditions on fields")
            }
            let field = try self.field(name, in: entity, purpose: "filter")
            return try compile(predicate, on: field, entity: entity)
        }
    }

    private mutating func compile(_ predicate: FieldPredicate, on field: QueryField, entity: EntityModel) throws(ContentError) -> String {
        let label = "\(entity.name).\(field.name)"
        func comparison(_ op: String, _ value: JSONValue) throws(ContentError) -> String {
            if value == .null { throw .invalidFilter("\(label): compare with null using isNull") }
            return "\(field.sql) \(op) \(bind(try sqlValue(value, for: field, label: label)))"
        }
        switch predicate {
        case .eq(let value): return try comparison("=", value)
        case .ne(let value): return try comparison("<>", value)
        case .lt(let value): return try comparison("<", value)
        case .lte(let value): return try comparison("<=", value)
        case .gt(let value): return try comparison(">", value)
        case .gte(let value): return try comparison(">=", value)
        case .in(let list), .notIn(let list):
            guard list.count <= Self.maximumListValues else {
                throw .invalidFilter("\(label): at most \(Self.maximumListValues) values in a list")
            }
            let isIn: Bool
            if case .in = predicate { isIn = true } else { isIn = false }
            if list.isEmpty { return isIn ? "1 = 0" : "\(field.sql) IS NOT NULL" }
            var placeholders: [String] = []
            for value in list {
                if value == .null { throw .invalidFilter("\(label): lists cannot hold null; use isNull") }
                placeholders.append(bind(try sqlValue(value, for: field, label: label)))
            }
            return "\(field.sql) \(isIn ? "IN" : "NOT IN") (\(placeholders.joined(separator: ", ")))"
        case .contains(let text), .startsWith(let text):
            guard field.storage == .text else { throw .invalidFilter("\(label): contains and startsWith apply to text fields") }
            try checkString(text, label: label)
            var pattern = Self.escapeLike(text)
            if case .contains = predicate { pattern = "%" + pattern }
            pattern += "%"
            return dialect.caseInsensitiveLike(field.sql, pattern: bind(.text(pattern)))
        case .isNull(let isNull):
            return "\(field.sql) IS \(isNull ? "" : "NOT ")NULL"
        }
    }

    private func checkString(_ text: String, label: String) throws(ContentError) {
        guard text.utf8.count <= Self.maximumStringBytes else { throw .invalidFilter("\(label): the value is too long") }
        guard !text.utf8.contains(0) else { throw .invalidFilter("\(label): strings cannot contain NUL characters") }
    }

    /// `%`, `_` and `\` stand for themselves.
    static func escapeLike(_ text: String) -> String { SQLDialect.escapeLikePattern(text) }

    /// A predicate value as the column holds it, or `invalidFilter` naming the field.
    func sqlValue(_ value: JSONValue, for field: QueryField, label: String) throws(ContentError) -> SQLValue {
        if field.isTime {
            guard case .string(let text) = value, let normal = RecordValidator.normalizeDateTime(text),
                let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(normal)
            else { throw .invalidFilter("\(label) takes an ISO 8601 date and time") }
            return .integer(ContentTime.microseconds(date))
        }
        switch field.storage {
        case .text:
            guard case .string(let text) = value else { throw .invalidFilter("\(label) takes a string, not \(value.typeName)") }
            try checkString(text, label: label)
            if case .datetime? = field.type {
                guard let normal = RecordValidator.normalizeDateTime(text) else {
                    throw .invalidFilter("\(label) takes an ISO 8601 date and time")
                }
                return .text(normal)
            }
            return .text(text)
        case .integer:
            if let int = value.intValue { return .integer(int) }
            if case .double(let double) = value, double.isFinite { return .real(double) }
            throw .invalidFilter("\(label) takes a number, not \(value.typeName)")
        case .real:
            guard let double = value.doubleValue, double.isFinite else { throw .invalidFilter("\(label) takes a number, not \(value.typeName)") }
            return .real(double)
        case .boolean:
            guard case .bool(let bool) = value else { throw .invalidFilter("\(label) takes true or false, not \(value.typeName)") }
            return .integer(bool ? 1 : 0)
        case .json:
            throw .invalidFilter("\(label) cannot be filtered")
        }
    }
}
