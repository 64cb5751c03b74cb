import Foundation
import Testing

@testable import AtomoContent

@Suite struct PageCursorTests {
    @Test func base64URLMatchesFoundationWithoutPadding() {
        var random = SystemRandomNumberGenerator()
        for length in 0..<64 {
            let text = String((0..<length).map { _ in Character(UnicodeScalar(UInt8.random(in: 32...126, using: &random))) })
            let expected = Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(PageCursor.base64URL(text.utf8) == expected, "length \(length)")
        }
        #expect(PageCursor.base64URL("é€😀".utf8) == "w6nigqzwn5iA")
    }
}
