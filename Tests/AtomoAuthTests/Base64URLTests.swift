import Foundation
import Testing

@testable import AtomoAuth

@Suite("Base64url")
struct Base64URLTests {
    @Test("round-trips every length from 0 to 100 and agrees with Foundation's base64")
    func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 0...100 {
            let bytes = (0..<length).map { _ in generator.next() as UInt8 }
            let encoded = Base64URL.encode(bytes)
            let foundation = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(encoded == foundation)
            #expect(Base64URL.decode(ArraySlice(encoded.utf8)) == bytes)
        }
    }

    @Test(
        "refuses padding, the standard alphabet, impossible lengths and non-zero leftover bits",
        arguments: [
            "QQ==", "a+b/", "A", "AAAAA", "QR", "QUF", "QUJ", "Q Q", "QQ\u{0}",
        ])
    func refuses(text: String) {
        #expect(Base64URL.decode(ArraySlice(text.utf8)) == nil)
    }
}
