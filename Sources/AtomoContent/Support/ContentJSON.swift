import AtomoEvents
import AtomoSchema
import Foundation

/// A small, fast JSON codec for ``JSONValue``: event payloads and JSON columns.
///
/// Foundation's coders decode a `JSONValue` by trying each type in turn, which costs more than the
/// rest of a create; this writes objects with sorted keys (equal values, equal bytes) and parses in
/// one pass. Numbers without a fraction or exponent that fit in 64 bits become `.int`.
enum ContentJSON {
    struct ParseError: Error, CustomStringConvertible {
        let offset: Int
        var description: String { "malformed JSON at byte \(offset)" }
    }

    static func encode(_ value: JSONValue) -> String {
        var output = ""
        output.reserveCapacity(64)
        write(value, to: &output)
        return output
    }

    static func encodeObject(_ object: [String: JSONValue]) -> String { encode(.object(object)) }

    static func data(_ value: JSONValue) -> Data { Data(encode(value).utf8) }

    /// Appends `value`'s JSON to `output` (what ``encode(_:)`` returns, written in place).
    static func write(_ value: JSONValue, to output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let bool): output += bool ? "true" : "false"
        case .int(let int): output += String(int)
        case .double(let double):
            if double.isFinite {
                // Whole doubles keep a fraction so that they read back as doubles.
                if double.rounded() == double && abs(double) < 1e15 { output += String(Int64(double)) + ".0" } else { output += "\(double)" }
            } else {
                output += "null"
            }
        case .string(let string): writeString(string, to: &output)
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                write(element, to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            // Sorted pairs, not sorted keys looked up again: no second hashing of every key.
            for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { output += "," }
                writeString(member.key, to: &output)
                output += ":"
                write(member.value, to: &output)
            }
            output += "}"
        }
    }

    /// Appends `string` as a JSON string literal to `output`.
    static func writeString(_ string: String, to output: inout String) {
        JSONStringWriter.append(string, to: &output)
    }

    static func decode(_ text: String) throws -> JSONValue {
        var copy = text
        return try copy.withUTF8 { try decode(UnsafeRawBufferPointer($0)) }
    }

    static func decode(_ data: Data) throws -> JSONValue {
        try data.withUnsafeBytes { try decode($0) }
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        var parser = Parser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw ParseError(offset: parser.index) }
        return value
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func skipWhitespace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                index += 1
            }
        }

        func fail() -> ParseError { ParseError(offset: index) }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth < 256, index < bytes.count else { throw fail() }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [String: JSONValue] = [:]
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                }
                // Room for a small object at once (blocks, cursors), instead of growing 1 → 3 → 6.
                members.reserveCapacity(4)
                while true {
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail() }
                    let key = try string()
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail() }
                    index += 1
                    skipWhitespace()
                    members[key] = try value(depth: depth + 1)
                    skipWhitespace()
                    guard index < bytes.count else { throw fail() }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    guard bytes[index] == UInt8(ascii: "}") else { throw fail() }
                    index += 1
                    return .object(members)
                }
            case UInt8(ascii: "["):
                index += 1
                var elements: [JSONValue] = []
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(elements)
                }
                while true {
                    skipWhitespace()
                    elements.append(try value(depth: depth + 1))
                    skipWhitespace()
                    guard index < bytes.count else { throw fail() }
                    if bytes[index] == UInt8(ascii: ",") {
                        index += 1
                        continue
                    }
                    guard bytes[index] == UInt8(ascii: "]") else { throw fail() }
                    index += 1
                    return .array(elements)
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return try number()
            }
        }

        mutating func literal(_ word: StaticString) throws {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw fail() }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw fail() }
            index += count
        }

        mutating func number() throws -> JSONValue {
            let start = index
            var isInteger = true
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            while index < bytes.count {
                let byte = bytes[index]
                if byte >= 0x30 && byte <= 0x39 {
                    index += 1
                } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                    || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
                {
                    isInteger = false
                    index += 1
                } else {
                    break
                }
            }
            guard index > start else { throw fail() }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if isInteger, let int = Int64(text) { return .int(int) }
            guard let double = Double(text) else { throw ParseError(offset: start) }
            return .double(double)
        }

        mutating func string() throws -> String {
            index += 1  // the opening quote
            let start = index
            var simple = true
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    break
                } else if byte == UInt8(ascii: "\\") {
                    simple = false
                    index += 2
                } else {
                    index += 1
                }
            }
            guard index < bytes.count else { throw fail() }
            let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
            index += 1
            if simple { return String(decoding: raw, as: UTF8.self) }
            var scalars = String.UnicodeScalarView()
            var utf8: [UInt8] = []
            var i = 0
            func flush() {
                if !utf8.isEmpty {
                    scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
                    utf8.removeAll()
                }
            }
            while i < raw.count {
                let byte = raw[i]
                guard byte == UInt8(ascii: "\\") else {
                    utf8.append(byte)
                    i += 1
                    continue
                }
                flush()
                guard i + 1 < raw.count else { throw fail() }
                let escape = raw[i + 1]
                i += 2
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{8}")
                case UInt8(ascii: "f"): scalars.append("\u{C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4(raw, at: i)
                    i += 4
                    if code >= 0xD800 && code < 0xDC00, i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u") {
                        let low = try hex4(raw, at: i + 2)
                        if low >= 0xDC00 && low < 0xE000 {
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                        }
                    }
                    scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
                default: throw fail()
                }
            }
            flush()
            return String(scalars)
        }

        func hex4(_ raw: UnsafeRawBufferPointer, at offset: Int) throws -> UInt32 {
            guard offset + 4 <= raw.count else { throw fail() }
            var code: UInt32 = 0
            for k in 0..<4 {
                let byte = raw[offset + k]
                let digit: UInt32
                switch byte {
                case 0x30...0x39: digit = UInt32(byte - 0x30)
                case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
                case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
                default: throw fail()
                }
                code = code << 4 | digit
            }
            return code
        }
    }
}
