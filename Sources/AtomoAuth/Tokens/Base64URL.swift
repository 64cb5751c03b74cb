/// Base64url without padding (RFC 7515 §2), strict: any other byte, or a length no encoding
/// produces, is refused.
enum Base64URL {
    private static let encodeTable = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            output.append(encodeTable[Int(first >> 2)])
            output.append(encodeTable[Int((first & 0x03) << 4 | (second ?? 0) >> 4)])
            if let second {
                output.append(encodeTable[Int((second & 0x0F) << 2 | (third ?? 0) >> 6)])
                if let third { output.append(encodeTable[Int(third & 0x3F)]) }
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The 6-bit value of a base64url character, or 0xFF.
    @inline(__always)
    private static func value(of byte: UInt8) -> UInt8 {
        switch byte {
        case 0x41...0x5A: byte &- 0x41  // A-Z
        case 0x61...0x7A: byte &- 0x47  // a-z
        case 0x30...0x39: byte &+ 4  // 0-9
        case 0x2D: 62  // -
        case 0x5F: 63  // _
        default: 0xFF
        }
    }

    static func decode(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        let count = text.count
        guard count % 4 != 1 else { return nil }
        let outputCount = count * 3 / 4
        return text.withUnsafeBufferPointer { input -> [UInt8]? in
            var valid = true
            let output = [UInt8](unsafeUninitializedCapacity: outputCount) { buffer, initialized in
                var position = 0
                var written = 0
                // Four characters make three bytes.
                while position + 4 <= count {
                    let a = value(of: input[position]), b = value(of: input[position + 1])
                    let c = value(of: input[position + 2]), d = value(of: input[position + 3])
                    guard (a | b | c | d) & 0xC0 == 0 else {
                        valid = false
                        break
                    }
                    let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    buffer[written] = UInt8(truncatingIfNeeded: group >> 16)
                    buffer[written + 1] = UInt8(truncatingIfNeeded: group >> 8)
                    buffer[written + 2] = UInt8(truncatingIfNeeded: group)
                    position += 4
                    written += 3
                }
                // Two or three characters left make one or two bytes; the bits they do not fill must be
                // zero, or two encodings would decode to the same bytes.
                let rest = count - position
                if valid && rest >= 2 {
                    let a = value(of: input[position]), b = value(of: input[position + 1])
                    let c = rest == 3 ? value(of: input[position + 2]) : 0
                    if (a | b | c) & 0xC0 != 0 || (rest == 2 && b & 0x0F != 0) || (rest == 3 && c & 0x03 != 0) {
                        valid = false
                    } else {
                        let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6
                        buffer[written] = UInt8(truncatingIfNeeded: group >> 16)
                        written += 1
                        if rest == 3 {
                            buffer[written] = UInt8(truncatingIfNeeded: group >> 8)
                            written += 1
                        }
                    }
                }
                initialized = valid ? written : 0
            }
            return valid ? output : nil
        }
    }
}
