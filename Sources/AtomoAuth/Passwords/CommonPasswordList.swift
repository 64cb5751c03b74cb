import Foundation

/// A set of passwords too common to accept, compared case-insensitively.
///
/// ``bundled`` is the list shipped as a resource of AtomoAuth: the 10,000 most common entries of
/// the 20,000-password list Django ships (created by Royce Williams, BSD 3-Clause; see
/// `docs/guide/security.md`). Hosts may pass their own.
///
/// ```swift
/// CommonPasswordList.bundled.contains("Password1")   // true
/// let mine = CommonPasswordList(["acme2024!", "welcome-to-acme"])
/// ```
public struct CommonPasswordList: Sendable {
    private let passwords: Set<String>

    /// A list of `passwords` (lowercased on the way in).
    public init(_ passwords: some Sequence<String>) {
        self.passwords = Set(passwords.lazy.map { $0.lowercased() }.filter { !$0.isEmpty })
    }

    /// No passwords at all: the rule never fires.
    public static let empty = CommonPasswordList([String]())

    /// The list shipped with AtomoAuth, loaded once on first use.
    ///
    /// If the resource cannot be read (a broken installation) this is a programmer-visible failure
    /// of the build, so it traps rather than silently accepting every password.
    public static let bundled: CommonPasswordList = {
        guard let url = Bundle.module.url(forResource: "common-passwords", withExtension: "txt"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else {
            fatalError("AtomoAuth's resource common-passwords.txt is missing from the bundle")
        }
        return CommonPasswordList(text.split(whereSeparator: \.isNewline).map(String.init))
    }()

    /// The number of passwords in the list.
    public var count: Int { passwords.count }

    /// Whether `password`, lowercased, is in the list.
    public func contains(_ password: String) -> Bool { passwords.contains(password.lowercased()) }
}
