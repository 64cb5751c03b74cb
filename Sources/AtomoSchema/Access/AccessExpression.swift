/// An access rule's expression: a small, side-effect-free language over `{ role, user, record }`.
///
/// It is what the `access` arrow functions of `schema.ts` compile to, and it has JavaScript's
/// meaning: `&&` and `||` return one of their operands, `!` and the ternary test truthiness, and
/// `===` / `!==` compare strictly (numbers by value). A path that names nothing is `null`.
///
/// ```swift
/// // role !== 'Viewer' ? ['id', 'name', 'email'] : ['id', 'name']
/// let read: AccessExpression = .conditional(
///     .notEqual(.path(["role"]), .literal("Viewer")),
///     .array([.literal("id"), .literal("name"), .literal("email")]),
///     .array([.literal("id"), .literal("name")]))
/// read.evaluate(in: AccessContext(role: "Sales"))   // ["id", "name", "email"]
/// ```
///
/// Canonical JSON: `{"literal": v}`, `{"var": "record.ownerId"}`, `{"array": [...]}`, `{"not": e}`,
/// `{"eq": [a, b]}`, `{"ne": [a, b]}`, `{"and": [a, b]}`, `{"or": [a, b]}`, `{"if": [test, then, else]}`.
public indirect enum AccessExpression: Sendable, Hashable {
    /// A constant.
    case literal(JSONValue)
    /// A property path from a root: `role`, `user` (`id`, `email`, `roles`, `tenant`) or `record`.
    case path([String])
    /// An array literal.
    case array([AccessExpression])
    /// `!operand`.
    case not(AccessExpression)
    /// `left === right`.
    case equal(AccessExpression, AccessExpression)
    /// `left !== right`.
    case notEqual(AccessExpression, AccessExpression)
    /// `left && right`.
    case and(AccessExpression, AccessExpression)
    /// `left || right`.
    case or(AccessExpression, AccessExpression)
    /// `test ? then : else`.
    case conditional(AccessExpression, AccessExpression, AccessExpression)

    /// The roots an expression may name.
    public static let roots: Set<String> = ["role", "user", "record"]

    /// Evaluates the expression.
    public func evaluate(in context: AccessContext) -> JSONValue {
        switch self {
        case .literal(let value):
            return value
        case .path(let components):
            guard let root = components.first else { return .null }
            var value: JSONValue
            switch root {
            case "role": value = context.role.map(JSONValue.string) ?? .null
            case "user": value = context.user
            case "record": value = context.record ?? .null
            default: return .null
            }
            for component in components.dropFirst() {
                if component == "length", case .array(let elements) = value {
                    value = .int(Int64(elements.count))
                } else {
                    value = value[component] ?? .null
                }
            }
            return value
        case .array(let elements):
            return .array(elements.map { $0.evaluate(in: context) })
        case .not(let operand):
            return .bool(!operand.evaluate(in: context).isTruthy)
        case .equal(let left, let right):
            return .bool(Self.strictlyEqual(left.evaluate(in: context), right.evaluate(in: context)))
        case .notEqual(let left, let right):
            return .bool(!Self.strictlyEqual(left.evaluate(in: context), right.evaluate(in: context)))
        case .and(let left, let right):
            let value = left.evaluate(in: context)
            return value.isTruthy ? right.evaluate(in: context) : value
        case .or(let left, let right):
            let value = left.evaluate(in: context)
            return value.isTruthy ? value : right.evaluate(in: context)
        case .conditional(let test, let then, let otherwise):
            return test.evaluate(in: context).isTruthy ? then.evaluate(in: context) : otherwise.evaluate(in: context)
        }
    }

    /// Whether the rule compares `role` with the string `value` (`role === 'anonymous'`,
    /// `'anonymous' !== role`, anywhere in the expression): how a rule names a role explicitly.
    public func comparesRole(with value: String) -> Bool {
        switch self {
        case .literal, .path: return false
        case .equal(let left, let right), .notEqual(let left, let right):
            for (path, literal) in [(left, right), (right, left)] {
                if case .path(["role"]) = path, case .literal(.string(let compared)) = literal, compared == value {
                    return true
                }
            }
            return left.comparesRole(with: value) || right.comparesRole(with: value)
        case .and(let left, let right), .or(let left, let right):
            return left.comparesRole(with: value) || right.comparesRole(with: value)
        case .not(let operand): return operand.comparesRole(with: value)
        case .array(let elements): return elements.contains { $0.comparesRole(with: value) }
        case .conditional(let test, let then, let otherwise):
            return test.comparesRole(with: value) || then.comparesRole(with: value) || otherwise.comparesRole(with: value)
        }
    }

    /// Whether any path in the expression starts at `root` (`"record"`, `"user"`).
    ///
    /// A read rule that does not depend on the record can be decided per role alone, which is how
    /// per-role API schemas leave out the fields a role may never read.
    public func refers(to root: String) -> Bool {
        switch self {
        case .literal: false
        case .path(let components): components.first == root
        case .array(let elements): elements.contains { $0.refers(to: root) }
        case .not(let operand): operand.refers(to: root)
        case .equal(let left, let right), .notEqual(let left, let right), .and(let left, let right),
            .or(let left, let right):
            left.refers(to: root) || right.refers(to: root)
        case .conditional(let test, let then, let otherwise):
            test.refers(to: root) || then.refers(to: root) || otherwise.refers(to: root)
        }
    }

    /// Every path the expression reads, for validation against the schema.
    public var paths: [[String]] {
        switch self {
        case .literal: []
        case .path(let components): [components]
        case .array(let elements): elements.flatMap(\.paths)
        case .not(let operand): operand.paths
        case .equal(let left, let right), .notEqual(let left, let right), .and(let left, let right),
            .or(let left, let right):
            left.paths + right.paths
        case .conditional(let test, let then, let otherwise): test.paths + then.paths + otherwise.paths
        }
    }

    /// JavaScript's `===` on JSON values: same type and value; numbers compare by value.
    static func strictlyEqual(_ left: JSONValue, _ right: JSONValue) -> Bool {
        if let l = left.doubleValue, let r = right.doubleValue { return l == r }
        switch (left, right) {
        case (.array, .array), (.object, .object): return false  // distinct literals are never identical
        default: return left == right
        }
    }
}

extension AccessExpression: Codable {
    private enum Key: String, CodingKey {
        case literal, path = "var", array, not, equal = "eq", notEqual = "ne", and, or, conditional = "if"
    }

    /// Decodes the canonical one-key object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "an access expression has exactly one key: literal, var, array, not, eq, ne, and, or, if"))
        }
        func pair() throws -> (AccessExpression, AccessExpression) {
            let operands = try container.decode([AccessExpression].self, forKey: key)
            guard operands.count == 2 else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container, debugDescription: "'\(key.rawValue)' takes exactly two operands")
            }
            return (operands[0], operands[1])
        }
        switch key {
        case .literal: self = .literal(try container.decode(JSONValue.self, forKey: key))
        case .path:
            let path = try container.decode(String.self, forKey: key).split(separator: ".").map(String.init)
            self = .path(path)
        case .array: self = .array(try container.decode([AccessExpression].self, forKey: key))
        case .not: self = .not(try container.decode(AccessExpression.self, forKey: key))
        case .equal: let (l, r) = try pair(); self = .equal(l, r)
        case .notEqual: let (l, r) = try pair(); self = .notEqual(l, r)
        case .and: let (l, r) = try pair(); self = .and(l, r)
        case .or: let (l, r) = try pair(); self = .or(l, r)
        case .conditional:
            let operands = try container.decode([AccessExpression].self, forKey: key)
            guard operands.count == 3 else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container, debugDescription: "'if' takes exactly three operands: test, then, else")
            }
            self = .conditional(operands[0], operands[1], operands[2])
        }
    }

    /// Encodes the canonical one-key object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .literal(let value): try container.encode(value, forKey: .literal)
        case .path(let components): try container.encode(components.joined(separator: "."), forKey: .path)
        case .array(let elements): try container.encode(elements, forKey: .array)
        case .not(let operand): try container.encode(operand, forKey: .not)
        case .equal(let l, let r): try container.encode([l, r], forKey: .equal)
        case .notEqual(let l, let r): try container.encode([l, r], forKey: .notEqual)
        case .and(let l, let r): try container.encode([l, r], forKey: .and)
        case .or(let l, let r): try container.encode([l, r], forKey: .or)
        case .conditional(let t, let a, let b): try container.encode([t, a, b], forKey: .conditional)
        }
    }
}

/// What an access rule can see: the principal's role, the user, and the record in question.
public struct AccessContext: Sendable, Hashable {
    /// The role being evaluated (a principal with several roles is evaluated once per role).
    public var role: String?
    /// The user as an object: `id`, `email`, `roles`, `tenant` (null members when unknown).
    public var user: JSONValue
    /// The record the operation is about: its stored values (for update and delete, before the
    /// change; for create, the input); nil when there is none, as for a list query's schema.
    public var record: JSONValue?

    /// Creates a context.
    public init(role: String?, user: JSONValue = .null, record: JSONValue? = nil) {
        self.role = role
        self.user = user
        self.record = record
    }
}
