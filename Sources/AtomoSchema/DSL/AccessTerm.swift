/// An access rule under construction in the DSL: Swift operators build an ``AccessExpression``.
///
/// `==`, `!=`, `&&`, `||` and prefix `!` build `===`, `!==`, `&&`, `||` and `!`; member access on
/// `user` and `record` builds paths; literals (strings, numbers, booleans, `nil`, arrays) are
/// constants; ``when(_:then:else:)`` is the ternary.
///
/// ```swift
/// Update { $0.role == "Admin" || $0.record.owner == $0.user.id }
/// Read { .when($0.role != "Viewer", then: ["id", "name"], else: ["id", "name", "email", "company"]) }
/// ```
///
/// An array whose elements are all constants becomes one constant array (`{"literal": ["id", "name"]}`),
/// as `schema.ts` array literals do, so both forms give equal models.
@dynamicMemberLookup
public struct AccessTerm: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral
{
    /// The expression built so far.
    public var expression: AccessExpression

    /// Wraps an expression.
    public init(_ expression: AccessExpression) { self.expression = expression }

    /// A string constant.
    public init(stringLiteral value: String) { expression = .literal(.string(value)) }
    /// An integer constant.
    public init(integerLiteral value: Int64) { expression = .literal(.int(value)) }
    /// A number constant.
    public init(floatLiteral value: Double) { expression = .literal(JSONValue.double(value).canonicalized) }
    /// A boolean constant.
    public init(booleanLiteral value: Bool) { expression = .literal(.bool(value)) }
    /// `null`.
    public init(nilLiteral: ()) { expression = .literal(.null) }
    /// An array.
    public init(arrayLiteral elements: AccessTerm...) {
        expression = AccessExpression.arrayLiteral(elements.map(\.expression))
    }

    /// A member of a path (`$0.record.owner`, `$0.user.id`); on anything but a path, `null`.
    public subscript(dynamicMember name: String) -> AccessTerm {
        guard case .path(let components) = expression else { return nil }
        return AccessTerm(.path(components + [name]))
    }

    /// `true`: allowed, or every field for a read rule.
    public static let allow: AccessTerm = true
    /// `false`: denied, or no field for a read rule.
    public static let deny: AccessTerm = false

    /// The field names a read rule returns: `.fields("id", "name")`.
    public static func fields(_ names: String...) -> AccessTerm {
        AccessTerm(.literal(.array(names.map(JSONValue.string))))
    }

    /// `test ? then : otherwise`.
    public static func when(_ test: AccessTerm, then: AccessTerm, else otherwise: AccessTerm) -> AccessTerm {
        AccessTerm(.conditional(test.expression, then.expression, otherwise.expression))
    }

    /// `left === right`.
    public static func == (left: AccessTerm, right: AccessTerm) -> AccessTerm {
        AccessTerm(.equal(left.expression, right.expression))
    }

    /// `left !== right`.
    public static func != (left: AccessTerm, right: AccessTerm) -> AccessTerm {
        AccessTerm(.notEqual(left.expression, right.expression))
    }

    /// `left && right`.
    public static func && (left: AccessTerm, right: AccessTerm) -> AccessTerm {
        AccessTerm(.and(left.expression, right.expression))
    }

    /// `left || right`.
    public static func || (left: AccessTerm, right: AccessTerm) -> AccessTerm {
        AccessTerm(.or(left.expression, right.expression))
    }

    /// `!operand`.
    public static prefix func ! (operand: AccessTerm) -> AccessTerm { AccessTerm(.not(operand.expression)) }
}

extension AccessExpression {
    /// An array literal: one constant when every element is a constant, otherwise ``array(_:)``.
    /// The DSL and the `schema.ts` importer both build arrays this way, so their models are equal.
    static func arrayLiteral(_ elements: [AccessExpression]) -> AccessExpression {
        var values: [JSONValue] = []
        for element in elements {
            guard case .literal(let value) = element else { return .array(elements) }
            values.append(value)
        }
        return .literal(.array(values))
    }
}
