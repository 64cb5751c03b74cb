/// The failures AtomoCRDT reports for input it cannot accept.
///
/// Every case is stable and carries the values involved. Decoding never traps on bad input: a garbage,
/// truncated or mutated update throws one of these, and the document it was applied to is unchanged.
public enum CRDTError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended while `needed` more bytes were expected at byte `offset`.
    case unexpectedEndOfInput(offset: Int)
    /// A variable-length integer at `offset` does not fit in 64 bits (or in the range it must have).
    case integerOverflow(offset: Int)
    /// A string at `offset` is not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// A lib0 `any` value at `offset` has an unknown tag byte.
    case unknownValueTag(tag: UInt8, offset: Int)
    /// A struct at `offset` has a content reference Yjs does not define.
    case unknownContentReference(reference: UInt8, offset: Int)
    /// A struct of `client` at `clock` has a length of zero or less, or its clock range overflows.
    case invalidStructLength(client: UInt64, clock: Int)
    /// A count or length at `offset` claims more elements than the input could hold.
    case lengthExceedsInput(length: UInt64, offset: Int)
    /// Nested `any` values or JSON exceed the depth limit (`limit`) at `offset`.
    case nestingTooDeep(limit: Int, offset: Int)
    /// A JSON text (format attribute, embed, awareness state) is malformed at character `offset`.
    case invalidJSON(offset: Int)
    /// Bytes remain after a complete message or update; `offset` is where they start.
    case trailingBytes(offset: Int)
    /// A y-protocols message has a type this implementation does not know.
    case unknownMessageType(UInt64)
    /// A text or array index (`index`) lies beyond the type's length (`length`).
    case indexOutOfBounds(index: Int, length: Int)

    /// A human-readable explanation of the failure.
    public var description: String {
        switch self {
        case .unexpectedEndOfInput(let offset): "input ended unexpectedly at byte \(offset)"
        case .integerOverflow(let offset): "variable-length integer at byte \(offset) overflows"
        case .invalidUTF8(let offset): "string at byte \(offset) is not valid UTF-8"
        case .unknownValueTag(let tag, let offset): "unknown lib0 value tag \(tag) at byte \(offset)"
        case .unknownContentReference(let reference, let offset):
            "unknown struct content reference \(reference) at byte \(offset)"
        case .invalidStructLength(let client, let clock): "struct \(client):\(clock) has an invalid length"
        case .lengthExceedsInput(let length, let offset): "length \(length) at byte \(offset) exceeds the input"
        case .nestingTooDeep(let limit, let offset): "values nest deeper than \(limit) at byte \(offset)"
        case .invalidJSON(let offset): "malformed JSON at character \(offset)"
        case .trailingBytes(let offset): "unexpected bytes after the end, from byte \(offset)"
        case .unknownMessageType(let type): "unknown y-protocols message type \(type)"
        case .indexOutOfBounds(let index, let length): "index \(index) is beyond the length \(length)"
        }
    }
}
