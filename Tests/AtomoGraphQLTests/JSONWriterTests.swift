import AtomoSchema
import Foundation
import Testing

@testable import AtomoGraphQL

@Suite struct JSONWriterTests {
    @Test func writesValuesThatDecodeBackEqual() throws {
        let value: JSONValue = [
            "plain": "Ada", "quote": "say \"hi\"", "backslash": "a\\b", "control": "line\nnext\ttab\u{01}",
            "unicode": "café 🚀", "numbers": [1, -2, 2.5, 1e300], "nested": ["empty": [], "null": nil, "flag": true],
        ]
        var writer = JSONWriter()
        writer.json(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(writer.bytes)) == value)
    }

    @Test func truncatingBackToAMarkKeepsTheDocumentWellFormed() throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("a")
        writer.int(1)
        writer.key("b")
        let mark = writer.mark
        writer.beginObject()
        writer.key("c")
        writer.string("dropped")
        writer.truncate(to: mark)
        writer.null()
        writer.key("d")
        writer.bool(false)
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":1,"b":null,"d":false}"#)
    }
}
