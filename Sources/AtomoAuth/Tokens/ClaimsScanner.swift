import Foundation

/// A fast path for decoding ``AccessTokenClaims``: a strict scanner for the flat JSON object that
/// tokens carry, about four times cheaper than `JSONDecoder` (which took half of a verification).
///
/// It either returns exactly what `JSONDecoder` would, or nil — and nil only means "not the simple
/// shape": the caller then decodes with `JSONDecoder`, which accepts or refuses. So the scanner bails
/// out on anything it does not need to handle: escapes or control characters in strings, invalid
/// UTF-8, duplicate keys, nested objects or arrays under unknown keys, arrays of anything but
/// strings, numbers outside JSON's grammar or not finite, and trailing bytes.
struct ClaimsScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    static func claims(from json: [UInt8]) -> AccessTokenClaims? {
        json.withUnsafeBufferPointer { buffer in
            var scanner = ClaimsScanner(bytes: buffer)
            return scanner.scanClaims()
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private static let knownKeys = ["sub", "sid", "iss", "tenant", "roles", "aud", "iat", "nbf", "exp"]

    private enum Value {
        case string(String)
        case number(Double)
        case strings([String])
        case null
        case other
    }

    private mutating func scanClaims() -> AccessTokenClaims? {
        var subject: String?
        var sessionID: String?
        var roles: [String]?
        var tenant: String?
        var issuer: String?
        var audience: [String]?
        var issuedAt: Double?
        var notBefore: Double?
        var expiresAt: Double?
        // Duplicate keys send the payload to JSONDecoder; known keys are tracked in a bit set.
        var seenKnown: UInt16 = 0
        var seenOther: [String] = []

        skipWhitespace()
        guard take(UInt8(ascii: "{")) else { return nil }
        skipWhitespace()
        if !take(UInt8(ascii: "}")) {
            while true {
                skipWhitespace()
                guard let key = scanString() else { return nil }
                if let bit = Self.knownKeys.firstIndex(of: key) {
                    guard seenKnown & (1 << bit) == 0 else { return nil }
                    seenKnown |= 1 << bit
                } else {
                    guard !seenOther.contains(key) else { return nil }
                    seenOther.append(key)
                }
                skipWhitespace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipWhitespace()
                guard let value = scanValue() else { return nil }
                switch (key, value) {
                case ("sub", .string(let text)): subject = text
                case ("sid", .string(let text)): sessionID = text
                case ("iss", .string(let text)): issuer = text
                case ("tenant", .string(let text)): tenant = text
                case ("tenant", .null): tenant = nil
                case ("roles", .strings(let list)): roles = list
                case ("roles", .null): roles = nil
                case ("aud", .string(let text)): audience = [text]
                case ("aud", .strings(let list)): audience = list
                case ("iat", .number(let number)): issuedAt = number
                case ("nbf", .number(let number)): notBefore = number
                case ("nbf", .null): notBefore = nil
                case ("exp", .number(let number)): expiresAt = number
                case ("sub", _), ("sid", _), ("iss", _), ("tenant", _), ("roles", _), ("aud", _), ("iat", _),
                    ("nbf", _),
                    ("exp", _):
                    return nil  // a known claim of another type: let JSONDecoder produce the error
                default:
                    if case .strings = value { return nil }  // unknown arrays: not worth handling here
                }
                skipWhitespace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return nil }
                break
            }
        }
        skipWhitespace()
        guard index == bytes.count else { return nil }
        guard let subject, let sessionID, let issuer, let audience, let issuedAt, let expiresAt else { return nil }
        let issued = Date(timeIntervalSince1970: issuedAt)
        return AccessTokenClaims(
            subject: subject, sessionID: sessionID, roles: roles ?? [], tenant: tenant, issuer: issuer,
            audience: audience,
            issuedAt: issued, notBefore: notBefore.map(Date.init(timeIntervalSince1970:)) ?? issued,
            expiresAt: Date(timeIntervalSince1970: expiresAt))
    }

    private mutating func scanValue() -> Value? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""): return scanString().map(Value.string)
        case UInt8(ascii: "["):
            index += 1
            var list: [String] = []
            skipWhitespace()
            if take(UInt8(ascii: "]")) { return .strings(list) }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let text = scanString() else {
                    return nil
                }
                list.append(text)
                skipWhitespace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "]")) else { return nil }
                return .strings(list)
            }
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        case UInt8(ascii: "t"): return literal("true") ? .other : nil
        case UInt8(ascii: "f"): return literal("false") ? .other : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return scanNumber().map(Value.number)
        default: return nil  // objects, and anything that is not JSON
        }
    }

    /// A string without escapes or control characters, valid UTF-8.
    private mutating func scanString() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    /// A number in JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, finite.
    private mutating func scanNumber() -> Double? {
        let start = index
        _ = take(UInt8(ascii: "-"))
        if take(UInt8(ascii: "0")) {
        } else {
            guard digits() > 0 else { return nil }
        }
        if take(UInt8(ascii: ".")) { guard digits() > 0 else { return nil } }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            guard digits() > 0 else { return nil }
        }
        guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self),
            let number = Double(text), number.isFinite
        else { return nil }
        return number
    }

    private mutating func digits() -> Int {
        var count = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            index += 1
            count += 1
        }
        return count
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }
}
