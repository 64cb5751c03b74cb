/// A value bound to a SQL statement parameter or read from a result column.
///
/// Every value that reaches SQL from outside travels as a `SQLValue` bound to a placeholder,
/// never as text spliced into a statement.
///
/// ```swift
/// let values: [SQLValue] = [.text("Ada"), .integer(36), .null]
/// ```
public enum SQLValue: Sendable, Hashable {
    /// SQL `NULL`.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// A double-precision floating-point number.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Raw bytes.
    case blob([UInt8])
}

extension SQLValue: ExpressibleByNilLiteral, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral,
    ExpressibleByFloatLiteral
{
    /// Creates `.null`.
    public init(nilLiteral: ()) { self = .null }
    /// Creates `.integer`.
    public init(integerLiteral value: Int64) { self = .integer(value) }
    /// Creates `.text`.
    public init(stringLiteral value: String) { self = .text(value) }
    /// Creates `.real`.
    public init(floatLiteral value: Double) { self = .real(value) }
}
