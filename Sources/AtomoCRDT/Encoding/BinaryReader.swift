/// Reads the lib0 binary encoding; every read checks its bounds and throws ``CRDTError`` on bad input.
public struct BinaryReader: Sendable {
    /// Values nested deeper than this are rejected, so hostile input cannot exhaust the stack.
    static let maximumNesting = 64

    let bytes: [UInt8]
    /// The offset of the next byte to read.
    public private(set) var offset: Int

    /// Creates a reader at the start of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        offset = 0
    }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset >= bytes.count }

    /// The number of bytes left to read.
    public var remaining: Int { bytes.count - offset }

    /// Throws ``CRDTError/trailingBytes(offset:)`` unless every byte has been read.
    public func expectEnd() throws(CRDTError) {
        if offset < bytes.count { throw .trailingBytes(offset: offset) }
    }

    /// Reads one byte.
    public mutating func readByte() throws(CRDTError) -> UInt8 {
        guard offset < bytes.count else { throw .unexpectedEndOfInput(offset: offset) }
        let byte = bytes[offset]
        offset += 1
        return byte
    }

    /// Reads an unsigned variable-length integer of up to 64 bits.
    public mutating func readVarUint() throws(CRDTError) -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count else { throw .unexpectedEndOfInput(offset: offset) }
            let byte = bytes[offset]
            offset += 1
            let payload = UInt64(byte & 0x7F)
            if shift == 63 && payload > 1 || shift > 63 { throw .integerOverflow(offset: start) }
            result |= payload << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// Reads an unsigned variable-length integer that must fit a non-negative `Int` below 2^53
    /// (the largest integer a JavaScript peer can produce); used for clocks and lengths.
    public mutating func readInt() throws(CRDTError) -> Int {
        let start = offset
        let value = try readVarUint()
        guard value < (1 << 53) else { throw .integerOverflow(offset: start) }
        return Int(value)
    }

    /// Reads a count of elements that each take at least one byte, so it cannot exceed the input.
    mutating func readCount() throws(CRDTError) -> Int {
        let start = offset
        let value = try readVarUint()
        guard value <= UInt64(remaining) else { throw .lengthExceedsInput(length: value, offset: start) }
        return Int(value)
    }

    /// Reads a signed variable-length integer (lib0 `readVarInt`).
    public mutating func readVarInt() throws(CRDTError) -> Int64 {
        let start = offset
        var byte = try readByte()
        var magnitude = UInt64(byte & 0x3F)
        let negative = byte & 0x40 != 0
        var shift: UInt64 = 6
        while byte & 0x80 != 0 {
            byte = try readByte()
            let payload = UInt64(byte & 0x7F)
            if shift > 62 || (payload << shift) >> shift != payload { throw .integerOverflow(offset: start) }
            magnitude |= payload << shift
            shift += 7
        }
        guard magnitude <= UInt64(Int64.max) else { throw .integerOverflow(offset: start) }
        return negative ? -Int64(magnitude) : Int64(magnitude)
    }

    /// Reads a length-prefixed byte array.
    public mutating func readBytes() throws(CRDTError) -> [UInt8] {
        let length = try readCount()
        let slice = Array(bytes[offset..<offset + length])
        offset += length
        return slice
    }

    /// Reads `count` raw bytes.
    mutating func readRaw(_ count: Int) throws(CRDTError) -> ArraySlice<UInt8> {
        guard count <= remaining else { throw .unexpectedEndOfInput(offset: offset) }
        let slice = bytes[offset..<offset + count]
        offset += count
        return slice
    }

    /// Reads a length-prefixed UTF-8 string, rejecting invalid UTF-8.
    public mutating func readString() throws(CRDTError) -> String {
        let start = offset
        let length = try readCount()
        let slice = bytes[offset..<offset + length]
        offset += length
        guard let string = String(validating: slice, as: UTF8.self) else { throw .invalidUTF8(offset: start) }
        return string
    }

    /// Reads a length-prefixed UTF-8 string as UTF-16 code units, rejecting invalid UTF-8.
    mutating func readUTF16String() throws(CRDTError) -> [UInt16] {
        let start = offset
        let length = try readCount()
        var units: [UInt16] = []
        units.reserveCapacity(length)
        var index = offset
        let end = offset + length
        while index < end {
            let byte = bytes[index]
            if byte < 0x80 {
                units.append(UInt16(byte))
                index += 1
                continue
            }
            var scalar: UInt32
            var extra: Int
            if byte & 0xE0 == 0xC0 {
                scalar = UInt32(byte & 0x1F)
                extra = 1
            } else if byte & 0xF0 == 0xE0 {
                scalar = UInt32(byte & 0x0F)
                extra = 2
            } else if byte & 0xF8 == 0xF0 {
                scalar = UInt32(byte & 0x07)
                extra = 3
            } else {
                throw .invalidUTF8(offset: start)
            }
            guard index + extra < end else { throw .invalidUTF8(offset: start) }
            for next in 1...extra {
                let continuation = bytes[index + next]
                guard continuation & 0xC0 == 0x80 else { throw .invalidUTF8(offset: start) }
                scalar = (scalar << 6) | UInt32(continuation & 0x3F)
            }
            // Reject overlong forms, surrogates and values beyond Unicode.
            let minimum: UInt32 = extra == 1 ? 0x80 : extra == 2 ? 0x800 : 0x10000
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
                throw .invalidUTF8(offset: start)
            }
            if scalar >= 0x10000 {
                let value = scalar - 0x10000
                units.append(UInt16(0xD800 + (value >> 10)))
                units.append(UInt16(0xDC00 + (value & 0x3FF)))
            } else {
                units.append(UInt16(scalar))
            }
            index += extra + 1
        }
        offset = end
        return units
    }

    mutating func readFloat32() throws(CRDTError) -> Float {
        let raw = try readRaw(4)
        var bits: UInt32 = 0
        for byte in raw { bits = bits << 8 | UInt32(byte) }
        return Float(bitPattern: bits)
    }

    mutating func readFloat64() throws(CRDTError) -> Double {
        let raw = try readRaw(8)
        var bits: UInt64 = 0
        for byte in raw { bits = bits << 8 | UInt64(byte) }
        return Double(bitPattern: bits)
    }

    mutating func readInt64() throws(CRDTError) -> Int64 {
        let raw = try readRaw(8)
        var bits: UInt64 = 0
        for byte in raw { bits = bits << 8 | UInt64(byte) }
        return Int64(bitPattern: bits)
    }

    /// Reads a lib0 `any` value.
    public mutating func readAny() throws(CRDTError) -> AnyValue {
        try readAny(depth: 0)
    }

    private mutating func readAny(depth: Int) throws(CRDTError) -> AnyValue {
        let start = offset
        guard depth < Self.maximumNesting else { throw .nestingTooDeep(limit: Self.maximumNesting, offset: start) }
        let tag = try readByte()
        switch tag {
        case 127: return .undefined
        case 126: return .null
        case 125: return .integer(Int(try readVarInt()))
        case 124: return .double(Double(try readFloat32()))
        case 123: return .double(try readFloat64())
        case 122: return .bigInt(try readInt64())
        case 121: return .bool(false)
        case 120: return .bool(true)
        case 119: return .string(try readString())
        case 118:
            let count = try readCount()
            var object: [String: AnyValue] = [:]
            for _ in 0..<count {
                let key = try readString()
                object[key] = try readAny(depth: depth + 1)
            }
            return .object(object)
        case 117:
            let count = try readCount()
            var array: [AnyValue] = []
            array.reserveCapacity(count)
            for _ in 0..<count { array.append(try readAny(depth: depth + 1)) }
            return .array(array)
        case 116: return .bytes(try readBytes())
        default: throw .unknownValueTag(tag: tag, offset: start)
        }
    }
}
