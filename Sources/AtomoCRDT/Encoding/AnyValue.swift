/// A value of lib0's `any` encoding: what Yjs stores in maps and arrays (JSON plus `undefined`,
/// 64-bit integers and byte arrays).
///
/// ```swift
/// map.set("title", .string("Atomo"))
/// array.insert([.integer(1), .bool(true)], at: 0)
/// ```
public enum AnyValue: Hashable, Sendable {
    /// JavaScript's `undefined`.
    case undefined
    /// JSON `null`.
    case null
    /// A boolean.
    case bool(Bool)
    /// An integer. lib0 sends integers of up to 31 bits as integers and larger ones as floats.
    case integer(Int)
    /// A floating-point number.
    case double(Double)
    /// A 64-bit integer sent as a JavaScript `BigInt` (yrs and pycrdt send Python/Rust integers this way).
    case bigInt(Int64)
    /// A string.
    case string(String)
    /// A byte array (`Uint8Array`).
    case bytes([UInt8])
    /// An array of values.
    case array([AnyValue])
    /// An object; the order of keys is not significant.
    case object([String: AnyValue])

    /// The value as a number, whichever numeric case holds it.
    public var numberValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .double(let value): value
        case .bigInt(let value): Double(value)
        default: nil
        }
    }

    /// The object's entries, if this is an object.
    public var objectValue: [String: AnyValue]? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The value with every number as `.double`, so values from JavaScript, Rust and Python peers that
    /// spell the same number differently compare equal.
    public var normalizingNumbers: AnyValue {
        switch self {
        case .integer, .double, .bigInt: .double(numberValue ?? 0)
        case .array(let array): .array(array.map(\.normalizingNumbers))
        case .object(let object): .object(object.mapValues(\.normalizingNumbers))
        default: self
        }
    }
}

/// Literal conformances. There is deliberately no `ExpressibleByNilLiteral`: `nil` must keep meaning
/// "no value" in `AnyValue?` rather than silently becoming JSON `null`.
extension AnyValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// Creates a `.string`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// Creates an `.integer`.
    public init(integerLiteral value: Int) { self = .integer(value) }
    /// Creates a `.bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// Creates a `.double`.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// Creates an `.array`.
    public init(arrayLiteral elements: AnyValue...) { self = .array(elements) }
    /// Creates an `.object`.
    public init(dictionaryLiteral elements: (String, AnyValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
