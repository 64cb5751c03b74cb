/// Reads the automerge-paper JSON: `"patches": [[position, deleteCount, "insert"], …]` arrays.
struct TraceScanner {
    let bytes: [UInt8]
    var offset = 0

    /// Moves past the next occurrence of `marker`; returns false at the end.
    mutating func skip(past marker: String) -> Bool {
        let pattern = Array(marker.utf8)
        guard pattern.count <= bytes.count else { return false }
        while offset + pattern.count <= bytes.count {
            if bytes[offset] == pattern[0] && Array(bytes[offset..<offset + pattern.count]) == pattern {
                offset += pattern.count
                return true
            }
            offset += 1
        }
        return false
    }

    mutating func skipWhitespace() {
        while offset < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[offset]) { offset += 1 }
    }

    mutating func stringValue(after key: String) -> String? {
        guard skip(past: key) else { return nil }
        while offset < bytes.count, bytes[offset] != UInt8(ascii: "\"") { offset += 1 }
        return readString()
    }

    mutating func readString() -> String? {
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { return nil }
        offset += 1
        var out: [UInt8] = []
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            if byte == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            if byte == UInt8(ascii: "\\"), offset < bytes.count {
                let escaped = bytes[offset]
                offset += 1
                switch escaped {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "u"):
                    let hex = String(decoding: bytes[offset..<min(offset + 4, bytes.count)], as: UTF8.self)
                    offset += 4
                    out.append(
                        contentsOf: Array(
                            String(Unicode.Scalar(UInt32(hex, radix: 16) ?? 0xFFFD).map(Character.init) ?? "?").utf8))
                default: out.append(escaped)
                }
            } else {
                out.append(byte)
            }
        }
        return nil
    }

    mutating func readInt() -> Int? {
        skipWhitespace()
        var value = 0
        var digits = 0
        while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) {
            value = value * 10 + Int(bytes[offset] - UInt8(ascii: "0"))
            offset += 1
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    mutating func expect(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == byte else { return false }
        offset += 1
        return true
    }

    /// The next `[position, deleteCount, "insert"]` of the current patches array, or nil at its end.
    mutating func nextPatch() -> (Int, Int, String)? {
        skipWhitespace()
        _ = expect(UInt8(ascii: ":"))
        _ = expect(UInt8(ascii: ",")) || expect(UInt8(ascii: "["))
        skipWhitespace()
        guard expect(UInt8(ascii: "[")) else { return nil }
        guard let position = readInt(), expect(UInt8(ascii: ",")), let deleteCount = readInt(),
            expect(UInt8(ascii: ","))
        else {
            return nil
        }
        skipWhitespace()
        guard let insert = readString(), expect(UInt8(ascii: "]")) else { return nil }
        return (position, deleteCount, insert)
    }
}
