/// Writes a string as a JSON string literal: quoted, with `"`, `\` and the control characters
/// escaped (`\n`, `\r`, `\t`, otherwise `\u00XX`), everything else copied as UTF-8. The one escaping
/// routine of the modules that write JSON by hand (event metadata, content records, GraphQL
/// responses), so that they cannot disagree.
///
/// ```swift
/// var bytes: [UInt8] = []
/// JSONStringWriter.append("say \"hi\"\n", to: &bytes)   // "say \"hi\"\n" with the escapes
/// ```
package enum JSONStringWriter {
    /// Appends `string` as a JSON string literal to `bytes`.
    package static func append(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(quote)
        // Scanned as one UTF-8 buffer (`withUTF8` makes a bridged string native first); the plain
        // prefix, usually the whole string, is copied in one go.
        var string = string
        string.withUTF8 { buffer in
            var index = 0
            while index < buffer.count, isPlain(buffer[index]) { index += 1 }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<index]))
            while index < buffer.count {
                appendEscaped(buffer[index], to: &bytes)
                index += 1
            }
        }
        bytes.append(quote)
    }

    /// Appends `string` as a JSON string literal to `output`.
    package static func append(_ string: String, to output: inout String) {
        if string.utf8.allSatisfy(isPlain) {
            output += "\""
            output += string
            output += "\""
            return
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(string.utf8.count + 8)
        append(string, to: &bytes)
        output += String(decoding: bytes, as: UTF8.self)
    }

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Whether `byte` is copied as it is: not a control character, quote or backslash. Bytes of
    /// multi-byte UTF-8 sequences are all ≥ 0x80, so they are copied whole.
    @inline(__always)
    private static func isPlain(_ byte: UInt8) -> Bool { byte >= 0x20 && byte != quote && byte != backslash }

    private static func appendEscaped(_ byte: UInt8, to bytes: inout [UInt8]) {
        switch byte {
        case quote: bytes.append(contentsOf: [backslash, quote])
        case backslash: bytes.append(contentsOf: [backslash, backslash])
        case UInt8(ascii: "\n"): bytes.append(contentsOf: [backslash, UInt8(ascii: "n")])
        case UInt8(ascii: "\r"): bytes.append(contentsOf: [backslash, UInt8(ascii: "r")])
        case UInt8(ascii: "\t"): bytes.append(contentsOf: [backslash, UInt8(ascii: "t")])
        case 0..<0x20:
            bytes.append(contentsOf: [backslash, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            bytes.append(hexDigits[Int(byte >> 4)])
            bytes.append(hexDigits[Int(byte & 0xF)])
        default: bytes.append(byte)
        }
    }
}
