/// Base64 helpers for PHC strings (standard alphabet, no padding).
enum Base64 {

    /// The number of bytes `text` decodes to, or nil when it is not unpadded standard base64.
    static func decodedLength(unpadded text: Substring) -> Int? {
        let count = text.utf8.count
        guard count > 0, count % 4 != 1 else { return nil }
        for byte in text.utf8 where !isAlphabet(byte) { return nil }
        return count * 3 / 4
    }

    private static func isAlphabet(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == 0x2B || byte == 0x2F
    }
}
