import AtomoAuth
import Testing

@Suite("Password policy")
struct PasswordPolicyTests {
    let policy = PasswordPolicy()

    @Test("a long, uncommon password without the email passes")
    func passes() throws {
        try policy.check(goodPassword, email: "ada@example.com")
        #expect(policy.violations(of: "ÄÖÜ äöü ß 12 ünïcödé", email: nil).isEmpty)
    }

    @Test("every broken rule is listed in one typed error")
    func listsEveryRule() {
        // "password1" is short and common; with the email "password1@example.com" it also contains the local part.
        #expect(throws: PasswordPolicyError.rejected([.tooShort(length: 9, minimum: 12), .common, .containsEmail])) {
            try policy.check("password1", email: "password1@example.com")
        }
        #expect(
            policy.violations(of: "x-Ada@Example.com-2024", email: "ada@example.com") == [.containsEmail],
            "case-insensitive")
        #expect(policy.violations(of: "adam is my name 2024!", email: "adam@example.com") == [.containsEmail])
    }

    @Test("the maximum length is a DoS guard: 1,025 characters are refused, 1,024 accepted")
    func maximum() {
        let limit = String(repeating: "ab", count: 512)
        #expect(policy.violations(of: limit, email: nil).isEmpty)
        #expect(policy.violations(of: limit + "c", email: nil) == [.tooLong(length: 1025, maximum: 1024)])
    }

    @Test("length counts Unicode scalars")
    func unicodeLength() {
        #expect(policy.violations(of: "パスワードパスワード", email: nil) == [.tooShort(length: 10, minimum: 12)])
    }

    @Test("the bundled list has 10,000 common passwords, compared case-insensitively")
    func bundledList() {
        let list = CommonPasswordList.bundled
        #expect(list.count > 9_900)
        for common in ["123456", "password", "qwertyuiop", "iloveyou", "Password1", "QWERTY123"] {
            #expect(list.contains(common), "\(common)")
        }
        #expect(!list.contains(goodPassword))
        let strict = PasswordPolicy(minimumLength: 8)
        #expect(strict.violations(of: "qwertyuiop", email: nil) == [.common])
    }
}
