import Foundation
import Testing

@testable import AtomoAuth

/// The claims scanner is a fast path in front of JSONDecoder: wherever it answers, it must answer
/// exactly what JSONDecoder answers; elsewhere it must step aside (nil).
@Suite("Claims scanner")
struct ClaimsScannerTests {
    static let simple: [String] = [
        #"{"aud":"crm","exp":1900000900,"iat":1900000000,"iss":"https://atomo.test","nbf":1900000000,"roles":["Sales"],"sid":"s","sub":"u"}"#,
        #"{ "sub" : "u", "sid":"s", "iss":"i", "aud":["crm","x"], "iat":1.5, "exp":2e9, "tenant":null, "roles":[] }"#,
        #"{"sub":"ü-é-😀","sid":"s","iss":"i","aud":"crm","iat":0,"exp":-1,"tenant":"acme","extra":true,"n":null,"z":-0.25e-3}"#,
        "\t{\n\"sub\":\"u\",\"sid\":\"s\",\"iss\":\"i\",\"aud\":\"a\",\"iat\":10,\"exp\":20,\"roles\":null,\"nbf\":null}\r\n",
    ]

    static let steppedAside: [String] = [
        #"{"sub":"a\"b","sid":"s","iss":"i","aud":"a","iat":1,"exp":2}"#,  // escape
        #"{"sub":"u","sub":"v","sid":"s","iss":"i","aud":"a","iat":1,"exp":2}"#,  // duplicate
        #"{"sub":"u","sid":"s","iss":"i","aud":"a","iat":1,"exp":2,"x":{"y":1}}"#,  // nested object
        #"{"sub":"u","sid":"s","iss":"i","aud":"a","iat":1,"exp":2,"x":[1]}"#,  // array of numbers
        #"{"sub":1,"sid":"s","iss":"i","aud":"a","iat":1,"exp":2}"#,  // wrong type
        #"{"sub":"u","sid":"s","iss":"i","aud":"a","iat":01,"exp":2}"#,  // leading zero
        #"{"sub":"u","sid":"s","iss":"i","aud":"a","iat":1,"exp":2}x"#,  // trailing bytes
        #"{"sub":"u","sid":"s","iss":"i","aud":"a","iat":1}"#,  // missing exp
        #"{"sub":"u","sid":"s","iss":"i","aud":"a","iat":1,"exp":1e999}"#,  // not finite
        #"{"sub":"u","sid":"s","iss":"i","aud":"a","iat":1,"exp":2,}"#,  // trailing comma
        #"["sub"]"#, "", "{", "nul",
    ]

    @Test("the simple shape: the same claims as JSONDecoder", arguments: simple)
    func agrees(json: String) throws {
        let scanned = try #require(ClaimsScanner.claims(from: Array(json.utf8)))
        let decoded = try JSONDecoder().decode(AccessTokenClaims.self, from: Data(json.utf8))
        #expect(scanned == decoded)
    }

    @Test("anything else is left to JSONDecoder", arguments: steppedAside)
    func stepsAside(json: String) {
        #expect(ClaimsScanner.claims(from: Array(json.utf8)) == nil)
    }

    @Test("invalid UTF-8 is left to JSONDecoder")
    func invalidUTF8() {
        var bytes = Array(#"{"sub":"u","sid":"s","iss":"i","aud":"a","iat":1,"exp":2}"#.utf8)
        bytes[8] = 0xFF
        #expect(ClaimsScanner.claims(from: bytes) == nil)
    }
}
