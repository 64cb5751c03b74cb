/// The small JSON codec Yjs needs for format attributes, embeds, `ContentJSON` and awareness states.
///
/// It maps JSON onto ``AnyValue``: numbers without a fraction or exponent become `.integer` when they fit,
/// the rest `.double`; `undefined` (not JSON, but written by Yjs for `ContentJSON`) becomes `.undefined`.
enum JSONText {
    /// Serialises `value` as compact JSON (object keys sorted, so output is deterministic).
    static func encode(_ value: AnyValue) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    private static func write(_ value: AnyValue, into out: inout String) {
        switch value {
        case .undefined, .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .integer(let integer): out += String(integer)
        case .bigInt(let integer): out += String(integer)
        case .double(let double):
            if double.isFinite {
                if double == double.rounded(), double.magnitude < 1e15 {
                    out += String(Int64(double))
                } else {
                    out += "\(double)"
                }
            } else {
                out += "null"
            }
        case .string(let string): writeString(string, into: &out)
        case .bytes(let bytes): write(.array(bytes.map { .integer(Int($0)) }), into: &out)
        case .array(let array):
            out += "["
            for (index, element) in array.enumerated() {
                if index > 0 { out += "," }
                write(element, into: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                writeString(key, into: &out)
                out += ":"
                write(object[key] ?? .null, into: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ string: String, into out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// Parses JSON text (or the bare word `undefined`) into a value.
    static func decode(_ text: String) throws(CRDTError) -> AnyValue {
        var parser = Parser(units: Array(text.utf8))
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.units.count else { throw .invalidJSON(offset: parser.index) }
        return value
    }

    private struct Parser {
        let units: [UInt8]
        var index = 0

        init(units: [UInt8]) { self.units = units }

        mutating func skipWhitespace() {
            while index < units.count, [0x20, 0x09, 0x0A, 0x0D].contains(units[index]) { index += 1 }
        }

        mutating func expect(_ word: String) throws(CRDTError) {
            for byte in word.utf8 {
                guard index < units.count, units[index] == byte else { throw .invalidJSON(offset: index) }
                index += 1
            }
        }

        mutating func parseValue(depth: Int) throws(CRDTError) -> AnyValue {
            guard depth < BinaryReader.maximumNesting else {
                throw .nestingTooDeep(limit: BinaryReader.maximumNesting, offset: index)
            }
            guard index < units.count else { throw .invalidJSON(offset: index) }
            switch units[index] {
            case UInt8(ascii: "n"):
                try expect("null")
                return .null
            case UInt8(ascii: "u"):
                try expect("undefined")
                return .undefined
            case UInt8(ascii: "t"):
                try expect("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expect("false")
                return .bool(false)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "["):
                index += 1
                var array: [AnyValue] = []
                skipWhitespace()
                if index < units.count, units[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(array)
                }
                while true {
                    skipWhitespace()
                    array.append(try parseValue(depth: depth + 1))
                    skipWhitespace()
                    guard index < units.count else { throw .invalidJSON(offset: index) }
                    if units[index] == UInt8(ascii: ",") {
                        index += 1
                    } else if units[index] == UInt8(ascii: "]") {
                        index += 1
                        return .array(array)
                    } else {
                        throw .invalidJSON(offset: index)
                    }
                }
            case UInt8(ascii: "{"):
                index += 1
                var object: [String: AnyValue] = [:]
                skipWhitespace()
                if index < units.count, units[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(object)
                }
                while true {
                    skipWhitespace()
                    guard index < units.count, units[index] == UInt8(ascii: "\"") else {
                        throw .invalidJSON(offset: index)
                    }
                    let key = try parseString()
                    skipWhitespace()
                    try expect(":")
                    skipWhitespace()
                    object[key] = try parseValue(depth: depth + 1)
                    skipWhitespace()
                    guard index < units.count else { throw .invalidJSON(offset: index) }
                    if units[index] == UInt8(ascii: ",") {
                        index += 1
                    } else if units[index] == UInt8(ascii: "}") {
                        index += 1
                        return .object(object)
                    } else {
                        throw .invalidJSON(offset: index)
                    }
                }
            default: return try parseNumber()
            }
        }

        mutating func parseNumber() throws(CRDTError) -> AnyValue {
            let start = index
            var isInteger = true
            while index < units.count {
                let byte = units[index]
                if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: "+")
                {
                    index += 1
                } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                    isInteger = false
                    index += 1
                } else {
                    break
                }
            }
            let text = String(decoding: units[start..<index], as: UTF8.self)
            if isInteger, let integer = Int(text) { return .integer(integer) }
            guard !text.isEmpty, let double = Double(text) else { throw .invalidJSON(offset: start) }
            return .double(double)
        }

        mutating func parseString() throws(CRDTError) -> String {
            let start = index
            index += 1
            var scalars = String.UnicodeScalarView()
            var pendingHigh: UInt32?
            var raw: [UInt8] = []
            func flushRaw(_ raw: inout [UInt8], into scalars: inout String.UnicodeScalarView) {
                if !raw.isEmpty {
                    scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
                    raw.removeAll(keepingCapacity: true)
                }
            }
            while true {
                guard index < units.count else { throw .invalidJSON(offset: start) }
                let byte = units[index]
                index += 1
                if byte == UInt8(ascii: "\"") { break }
                if byte != UInt8(ascii: "\\") {
                    raw.append(byte)
                    continue
                }
                flushRaw(&raw, into: &scalars)
                guard index < units.count else { throw .invalidJSON(offset: index) }
                let escape = units[index]
                index += 1
                switch escape {
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "\""): scalars.append(Unicode.Scalar(escape))
                case UInt8(ascii: "u"):
                    guard index + 4 <= units.count,
                        let code = UInt32(String(decoding: units[index..<index + 4], as: UTF8.self), radix: 16)
                    else { throw .invalidJSON(offset: index) }
                    index += 4
                    if (0xD800...0xDBFF).contains(code) {
                        pendingHigh = code
                        continue
                    }
                    if (0xDC00...0xDFFF).contains(code), let high = pendingHigh {
                        let value = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)
                        scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
                    } else {
                        scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                    }
                default: throw .invalidJSON(offset: index)
                }
                pendingHigh = nil
            }
            flushRaw(&raw, into: &scalars)
            return String(scalars)
        }
    }
}
