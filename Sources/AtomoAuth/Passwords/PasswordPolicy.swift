/// The rules a new password must meet: a minimum and maximum length, not a common password, and
/// nothing that contains the user's email address.
///
/// Length is counted in Unicode scalars (as NIST SP 800-63B suggests), so `"パスワード"` is 5. The
/// maximum is a guard against denial of service, not a strength rule. Every rule is checked and
/// every failure is reported, so a user can fix all of them at once.
///
/// ```swift
/// let policy = PasswordPolicy()
/// do { try policy.check("ada@example.com2024", email: "ada@example.com") }
/// catch PasswordPolicyError.rejected(let violations) {
///     // [.containsEmail]
/// }
/// ```
public struct PasswordPolicy: Sendable {
    /// The fewest Unicode scalars a password may have. Default 12.
    public var minimumLength: Int
    /// The most Unicode scalars a password may have. Default 1,024.
    public var maximumLength: Int
    /// Passwords refused as too common.
    public var commonPasswords: CommonPasswordList
    /// Whether a password may not contain the user's email address (or its part before the `@`, when
    /// that has at least four characters), compared case-insensitively. Default true.
    public var forbidsEmail: Bool

    /// Creates a policy; the defaults are those above, with the bundled common-password list.
    public init(
        minimumLength: Int = 12, maximumLength: Int = 1024, commonPasswords: CommonPasswordList = .bundled,
        forbidsEmail: Bool = true
    ) {
        self.minimumLength = max(1, minimumLength)
        self.maximumLength = max(self.minimumLength, maximumLength)
        self.commonPasswords = commonPasswords
        self.forbidsEmail = forbidsEmail
    }

    /// Every rule that `password` breaks, in the order length, maximum, common, email; empty when it passes.
    public func violations(of password: String, email: String?) -> [PasswordRuleViolation] {
        var violations: [PasswordRuleViolation] = []
        let length = password.unicodeScalars.count
        if length < minimumLength { violations.append(.tooShort(length: length, minimum: minimumLength)) }
        if length > maximumLength {
            violations.append(.tooLong(length: length, maximum: maximumLength))
            // Comparing a huge input against lists would be the very work the maximum guards against.
            return violations
        }
        if commonPasswords.contains(password) { violations.append(.common) }
        if forbidsEmail, let email, containsEmail(password, email: email) { violations.append(.containsEmail) }
        return violations
    }

    /// Checks `password` for a user with `email`.
    /// - Throws: ``PasswordPolicyError/rejected(_:)`` with every rule it breaks.
    public func check(_ password: String, email: String?) throws(PasswordPolicyError) {
        let violations = violations(of: password, email: email)
        if !violations.isEmpty { throw .rejected(violations) }
    }

    private func containsEmail(_ password: String, email: String) -> Bool {
        let password = password.lowercased()
        let email = email.trimmingWhitespace().lowercased()
        guard !email.isEmpty else { return false }
        if password.contains(email) { return true }
        if let at = email.firstIndex(of: "@") {
            let local = email[..<at]
            if local.count >= 4 && password.contains(local) { return true }
        }
        return false
    }
}

/// One rule a password breaks.
public enum PasswordRuleViolation: Sendable, Hashable, CustomStringConvertible {
    /// Fewer than `minimum` Unicode scalars.
    case tooShort(length: Int, minimum: Int)
    /// More than `maximum` Unicode scalars.
    case tooLong(length: Int, maximum: Int)
    /// The password is on the list of common passwords.
    case common
    /// The password contains the user's email address.
    case containsEmail

    /// A message that can be shown to the user.
    public var description: String {
        switch self {
        case .tooShort(let length, let minimum): "the password has \(length) characters; it needs at least \(minimum)"
        case .tooLong(let length, let maximum): "the password has \(length) characters; at most \(maximum) are allowed"
        case .common: "the password is one of the most common passwords"
        case .containsEmail: "the password must not contain your email address"
        }
    }
}

/// A password that breaks the ``PasswordPolicy``.
public enum PasswordPolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every rule the password breaks (never empty).
    case rejected([PasswordRuleViolation])

    /// The rules broken, as one message.
    public var description: String {
        switch self {
        case .rejected(let violations): "password rejected: " + violations.map(\.description).joined(separator: "; ")
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
