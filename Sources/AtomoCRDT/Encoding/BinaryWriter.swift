/// Writes the lib0 binary encoding that Yjs updates and y-protocols messages are made of.
///
/// Unsigned integers are little-endian base-128 (`varUint`); signed integers keep their sign in bit 6
/// of the first byte (`varInt`); strings are a `varUint` byte count followed by UTF-8.
public struct BinaryWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Creates an empty writer, reserving `capacity` bytes.
    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends one byte.
    public mutating func writeByte(_ byte: UInt8) { bytes.append(byte) }

    /// Appends raw bytes without a length prefix.
    public mutating func writeRaw(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    /// Appends an unsigned variable-length integer.
    public mutating func writeVarUint(_ value: UInt64) {
        var value = value
        while value > 0x7F {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends a non-negative `Int` as an unsigned variable-length integer.
    public mutating func writeVarUint(_ value: Int) {
        precondition(value >= 0, "varUint must not be negative")
        writeVarUint(UInt64(value))
    }

    /// Appends a signed variable-length integer (lib0 `writeVarInt`: sign in bit 6 of the first byte).
    public mutating func writeVarInt(_ value: Int64) {
        let negative = value < 0
        var magnitude = value.magnitude
        var first = UInt8(truncatingIfNeeded: magnitude & 0x3F)
        if negative { first |= 0x40 }
        magnitude >>= 6
        if magnitude > 0 { first |= 0x80 }
        bytes.append(first)
        while magnitude > 0 {
            var byte = UInt8(truncatingIfNeeded: magnitude & 0x7F)
            magnitude >>= 7
            if magnitude > 0 { byte |= 0x80 }
            bytes.append(byte)
        }
    }

    /// Appends a length-prefixed byte array (lib0 `writeVarUint8Array`).
    public mutating func writeBytes(_ data: [UInt8]) {
        writeVarUint(data.count)
        bytes.append(contentsOf: data)
    }

    /// Appends a length-prefixed UTF-8 string.
    public mutating func writeString(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in
            writeVarUint(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    /// Appends UTF-16 code units as a length-prefixed UTF-8 string. Unpaired surrogates become U+FFFD,
    /// as JavaScript's `TextEncoder` does, so the UTF-16 length is preserved on the other side.
    mutating func writeString(utf16 units: ArraySlice<UInt16>) {
        var utf8Count = 0
        var index = units.startIndex
        while index < units.endIndex {
            let unit = units[index]
            if unit < 0x80 {
                utf8Count += 1
            } else if unit < 0x800 {
                utf8Count += 2
            } else if UTF16.isLeadSurrogate(unit), index + 1 < units.endIndex, UTF16.isTrailSurrogate(units[index + 1])
            {
                utf8Count += 4
                index += 1
            } else {
                utf8Count += 3
            }
            index += 1
        }
        writeVarUint(utf8Count)
        index = units.startIndex
        while index < units.endIndex {
            let unit = units[index]
            if unit < 0x80 {
                bytes.append(UInt8(unit))
            } else if unit < 0x800 {
                bytes.append(0xC0 | UInt8(unit >> 6))
                bytes.append(0x80 | UInt8(unit & 0x3F))
            } else if UTF16.isLeadSurrogate(unit), index + 1 < units.endIndex, UTF16.isTrailSurrogate(units[index + 1])
            {
                let scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(units[index + 1]) - 0xDC00)
                bytes.append(0xF0 | UInt8(scalar >> 18))
                bytes.append(0x80 | UInt8((scalar >> 12) & 0x3F))
                bytes.append(0x80 | UInt8((scalar >> 6) & 0x3F))
                bytes.append(0x80 | UInt8(scalar & 0x3F))
                index += 1
            } else {
                let scalar: UInt16 = UTF16.isLeadSurrogate(unit) || UTF16.isTrailSurrogate(unit) ? 0xFFFD : unit
                bytes.append(0xE0 | UInt8(scalar >> 12))
                bytes.append(0x80 | UInt8((scalar >> 6) & 0x3F))
                bytes.append(0x80 | UInt8(scalar & 0x3F))
            }
            index += 1
        }
    }

    /// Appends a big-endian IEEE 754 single-precision float.
    mutating func writeFloat32(_ value: Float) {
        let bits = value.bitPattern
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(shift)))
        }
    }

    /// Appends a big-endian IEEE 754 double-precision float.
    mutating func writeFloat64(_ value: Double) {
        let bits = value.bitPattern
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
        }
    }

    /// Appends a big-endian 64-bit signed integer (lib0 `writeBigInt64`).
    mutating func writeInt64(_ value: Int64) {
        let bits = UInt64(bitPattern: value)
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
        }
    }

    /// Appends a lib0 `any` value (`writeAny`).
    public mutating func writeAny(_ value: AnyValue) {
        switch value {
        case .undefined: bytes.append(127)
        case .null: bytes.append(126)
        case .integer(let integer):
            // lib0 writes integers up to 31 bits as varInt and larger numbers as floats.
            if integer.magnitude <= 0x7FFF_FFFF {
                bytes.append(125)
                writeVarInt(Int64(integer))
            } else {
                bytes.append(123)
                writeFloat64(Double(integer))
            }
        case .double(let double):
            if let float = Float(exactly: double), !double.isNaN {
                bytes.append(124)
                writeFloat32(float)
            } else {
                bytes.append(123)
                writeFloat64(double)
            }
        case .bigInt(let big):
            bytes.append(122)
            writeInt64(big)
        case .bool(let flag): bytes.append(flag ? 120 : 121)
        case .string(let string):
            bytes.append(119)
            writeString(string)
        case .object(let object):
            bytes.append(118)
            writeVarUint(object.count)
            for key in object.keys.sorted() {
                writeString(key)
                writeAny(object[key] ?? .undefined)
            }
        case .array(let array):
            bytes.append(117)
            writeVarUint(array.count)
            for element in array { writeAny(element) }
        case .bytes(let data):
            bytes.append(116)
            writeBytes(data)
        }
    }
}
