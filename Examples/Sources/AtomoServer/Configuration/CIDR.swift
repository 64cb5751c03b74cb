#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/8`, `192.0.2.7`, `fd00::/8`, `::1`), for
/// deciding whether a peer is a trusted reverse proxy.
///
/// A bare address is a single host (`/32`, `/128`). An IPv4-mapped IPv6 address (`::ffff:10.1.2.3`,
/// which a dual-stack socket reports for an IPv4 peer) is matched as the IPv4 address it carries.
///
/// ```swift
/// let network = try CIDR("10.0.0.0/8")
/// network.contains("10.1.2.3")        // true
/// network.contains("::ffff:10.1.2.3") // true
/// network.contains("192.0.2.1")       // false
/// ```
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The network's address bytes (4 for IPv4, 16 for IPv6), with the host bits cleared.
    public let address: [UInt8]
    /// The number of leading bits that make up the network.
    public let prefixLength: Int

    /// Why a CIDR could not be parsed.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The text given.
        public let text: String
        /// What is wrong with it.
        public let reason: String

        /// `'<text>' is not an IP address or CIDR …: <reason>`.
        public var description: String {
            "'\(text)' is not an IP address or CIDR (like 10.0.0.0/8 or fd00::/8): \(reason)"
        }
    }

    /// Parses `a.b.c.d/n`, `a.b.c.d`, `x:y::z/n` or `x:y::z` (surrounding whitespace ignored).
    /// - Throws: ``ParseError`` for anything else, a prefix longer than the address, or host bits
    ///   after the prefix (`10.0.0.1/8` is refused: it is usually a typo for a host or a network).
    public init(_ text: String) throws(ParseError) {
        let trimmed = text.trimmingWhitespace()
        let parts = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = Self.parseAddress(String(parts[0])) else {
            throw ParseError(text: text, reason: "no IPv4 or IPv6 address before the prefix length")
        }
        let bits = bytes.count * 8
        var length = bits
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...bits).contains(parsed), parts[1].allSatisfy(\.isASCII) else {
                throw ParseError(text: text, reason: "the prefix length must be a number from 0 to \(bits)")
            }
            length = parsed
        }
        let masked = Self.mask(bytes, prefixLength: length)
        guard masked == bytes else {
            throw ParseError(
                text: text,
                reason: "bits are set after the first \(length); the network is \(Self.format(masked))/\(length)")
        }
        address = masked
        prefixLength = length
    }

    /// Whether `address` (an IPv4 or IPv6 address as text) lies in this network; false for text that
    /// is not an address, and for an address of the other family.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.parseAddress(address) else { return false }
        return contains(bytes: bytes)
    }

    /// Whether the address `bytes` (4 or 16, an IPv4-mapped IPv6 address counting as IPv4) lies in this network.
    public func contains(bytes: [UInt8]) -> Bool {
        let bytes = Self.unmapped(bytes)
        guard bytes.count == address.count else { return false }
        return Self.mask(bytes, prefixLength: prefixLength) == address
    }

    /// `network/prefix`, in the canonical text form of the address.
    public var description: String { "\(Self.format(address))/\(prefixLength)" }

    /// The bytes of an IPv4 or IPv6 address in text form (an IPv4-mapped IPv6 address as its 4 IPv4
    /// bytes), or nil. Brackets around an IPv6 address and a zone (`%eth0`) are accepted.
    public static func parseAddress(_ text: String) -> [UInt8]? {
        var text = text.trimmingWhitespace()
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if let zone = text.firstIndex(of: "%") { text = String(text[..<zone]) }
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        var v4 = in_addr()
        if text.withCString({ inet_pton(AF_INET, $0, &v4) }) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if text.withCString({ inet_pton(AF_INET6, $0, &v6) }) == 1 {
            return unmapped(withUnsafeBytes(of: &v6) { Array($0) })
        }
        return nil
    }

    private static func unmapped(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.count == 16 && bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return Array(bytes[12..<16])
        }
        return bytes
    }

    private static func mask(_ bytes: [UInt8], prefixLength: Int) -> [UInt8] {
        var result = bytes
        for index in result.indices {
            let bitsHere = min(max(prefixLength - index * 8, 0), 8)
            result[index] &= bitsHere == 0 ? 0 : UInt8(truncatingIfNeeded: 0xff << (8 - bitsHere))
        }
        return result
    }

    private static func format(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        var bytes = bytes
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeMutableBytes { raw in
            buffer.withUnsafeMutableBufferPointer { out in
                inet_ntop(family, raw.baseAddress, out.baseAddress, socklen_t(out.count)) != nil
            }
        }
        guard ok else { return bytes.map(String.init).joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
