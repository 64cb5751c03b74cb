import AtomoEvents
import Foundation
import Testing

@Suite("JSON string writer")
struct JSONStringWriterTests {
    static let hostile = [
        "", "plain", "quote \" and backslash \\", "line\nbreak\r\ttab", "nul \u{0} bell \u{7} escape \u{1B} us \u{1F}",
        "del \u{7F} stays", "é ü 漢字 👩‍👩‍👧", "</script><!--", "\u{2028}\u{2029}", String(repeating: "\\\"", count: 100),
    ]

    @Test("every string round-trips through a JSON parser, in bytes and in a String", arguments: hostile)
    func roundTrips(_ string: String) throws {
        var bytes: [UInt8] = []
        JSONStringWriter.append(string, to: &bytes)
        var text = "["
        JSONStringWriter.append(string, to: &text)
        text += "]"
        #expect(try JSONDecoder().decode(String.self, from: Data(bytes)) == string)
        #expect(try JSONDecoder().decode([String].self, from: Data(text.utf8)) == [string])
        #expect(Array(text.utf8.dropFirst().dropLast()) == bytes, "both forms write the same bytes")
        #expect(!bytes.dropFirst().dropLast().contains { $0 < 0x20 }, "no raw control character is left")
    }

    @Test("escapes are the short forms where JSON has them, else \\u00XX in lower case")
    func escapeForms() {
        var text = ""
        JSONStringWriter.append("\"\\\n\r\t\u{0}\u{1F}", to: &text)
        #expect(text == #""\"\\\n\r\t\u0000\u001f""#)
    }
}
