import AtomoContent
import AtomoSchema
import Testing

@Suite("Content API values")
struct APIShapeTests {
    @Test("Errors never repeat control characters from outside")
    func errorMessages() {
        let error = ContentError.unknownField(entity: "Contact", field: "name\u{0}; DROP TABLE x")
        #expect(!error.description.contains("\u{0}"))
    }
}
