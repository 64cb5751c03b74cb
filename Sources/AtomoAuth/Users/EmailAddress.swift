/// An email address as a login name: kept as given (trimmed) for display, compared by ``key``.
///
/// Emails are unique case-insensitively: `Ada@Example.com` and `ada@example.com` are the same login.
/// Validation is deliberately light (one `@`, something on both sides, no spaces or control
/// characters, at most 254 bytes): whether an address works is proven by mail, not by a pattern.
///
/// ```swift
/// let email = try EmailAddress("  Ada@Example.com ")
/// email.value   // "Ada@Example.com"
/// email.key     // "ada@example.com"
/// ```
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address as given, without surrounding whitespace.
    public let value: String
    /// The lowercased address: what uniqueness and lookups use.
    public let key: String

    /// The longest address accepted, in UTF-8 bytes (RFC 5321's path limit less the brackets).
    public static let maximumLength = 254

    /// Validates `raw`.
    /// - Throws: ``AuthenticationError/invalidEmail(reason:)``.
    public init(_ raw: String) throws(AuthenticationError) {
        let value = raw.trimmingWhitespace()
        guard !value.isEmpty else { throw .invalidEmail(reason: "the email address is empty") }
        guard value.utf8.count <= Self.maximumLength else {
            throw .invalidEmail(reason: "an email address has at most \(Self.maximumLength) bytes")
        }
        guard
            !value.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw .invalidEmail(reason: "an email address has no spaces or control characters")
        }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .invalidEmail(reason: "an email address is local-part@domain")
        }
        self.value = value
        self.key = value.lowercased()
    }

    /// The address as given.
    public var description: String { value }
}
