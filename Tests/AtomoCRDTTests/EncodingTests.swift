import AtomoCRDT
import Testing

@Suite("lib0 encoding")
struct EncodingTests {
    @Test(
        "varUint matches lib0",
        arguments: [
            (UInt64(0), [UInt8(0)]), (127, [127]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]),
            (UInt64(UInt32.max), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        ] as [(UInt64, [UInt8])])
    func varUint(value: UInt64, bytes: [UInt8]) throws {
        var writer = BinaryWriter()
        writer.writeVarUint(value)
        #expect(writer.bytes == bytes)
        var reader = BinaryReader(bytes)
        #expect(try reader.readVarUint() == value)
        #expect(reader.isAtEnd)
    }

    @Test(
        "varInt keeps the sign in bit 6 of the first byte",
        arguments: [
            (Int64(0), [UInt8(0)]), (1, [1]), (-1, [0x41]), (63, [0x3F]), (64, [0x80, 0x01]), (-64, [0xC0, 0x01]),
            (-2_147_483_647, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        ] as [(Int64, [UInt8])])
    func varInt(value: Int64, bytes: [UInt8]) throws {
        var writer = BinaryWriter()
        writer.writeVarInt(value)
        #expect(writer.bytes == bytes)
        var reader = BinaryReader(bytes)
        #expect(try reader.readVarInt() == value)
    }

    @Test("any values round-trip with lib0's tags")
    func anyValues() throws {
        let values: [AnyValue] = [
            .undefined, .null, true, false, 42, -7, .integer(1 << 40), 0.5, 3.141592653589793, .bigInt(-5),
            "héllo 😀", .bytes([1, 2, 3]), [1, "two", [3]], ["key": ["nested": .null]],
        ]
        for value in values {
            var writer = BinaryWriter()
            writer.writeAny(value)
            var reader = BinaryReader(writer.bytes)
            let decoded = try reader.readAny()
            #expect(decoded.normalizingNumbers == value.normalizingNumbers)
            #expect(reader.isAtEnd)
        }
        var writer = BinaryWriter()
        writer.writeAny(.integer(1))
        writer.writeAny(.string("a"))
        writer.writeAny(.bool(true))
        writer.writeAny(.null)
        #expect(writer.bytes == [125, 1, 119, 1, 0x61, 120, 126])
    }

    @Test("strings count UTF-16 code units and survive a UTF-8 round trip")
    func strings() throws {
        let doc = Doc()
        let text = doc.getText("t")
        try text.insert("a😀é", at: 0)
        #expect(text.length == 4)
        let copy = Doc()
        try copy.applyUpdate(doc.encodeStateAsUpdate())
        #expect(copy.getText("t").string == "a😀é")
    }

    @Test("state vectors encode and decode")
    func stateVectors() throws {
        let vector = StateVector([1: 5, 300: 2])
        #expect(try StateVector(decoding: vector.encoded) == vector)
        #expect(vector.encoded == [2, 0xAC, 0x02, 2, 1, 5])
    }
}
