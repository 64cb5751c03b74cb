import AtomoCRDT
import AtomoTesting

enum RandomEdits {
    static let keys = ["a", "b", "c", "d", "nested"]

    static func word(_ rng: inout SeededGenerator, unicode: Bool = false) -> String {
        let letters = unicode ? Array("abcXYZ é😀中 ") : Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ")
        return String((0..<Int.random(in: 1...6, using: &rng)).map { _ in letters.randomElement(using: &rng) ?? "x" })
    }

    /// One random transaction on the roots "text", "map" and "array" (the same mix the pycrdt peer makes).
    static func edit(_ doc: Doc, _ rng: inout SeededGenerator, unicode: Bool = false) throws {
        let text = doc.getText("text")
        let map = doc.getMap("map")
        let array = doc.getArray("array")
        let choice = Double.random(in: 0..<1, using: &rng)
        try doc.transact { _ in
            if choice < 0.08 && text.length > 0 {
                // Formatting: a string-valued attribute set or removed on a random range.
                let index = Int.random(in: 0..<text.length, using: &rng)
                let count = Int.random(in: 1...min(8, text.length - index), using: &rng)
                let key = ["font", "color"].randomElement(using: &rng) ?? "font"
                let value: AnyValue = Bool.random(using: &rng) ? .string(word(&rng)) : .null
                try text.format(at: index, count: count, attributes: [key: value])
            } else if choice < 0.4 {
                if text.length > 0 && Double.random(in: 0..<1, using: &rng) < 0.35 {
                    let index = Int.random(in: 0..<text.length, using: &rng)
                    let count = Int.random(in: 1...min(5, text.length - index), using: &rng)
                    if unicode {
                        // Keep surrogate pairs whole: delete whole scalars.
                        let string = text.string
                        let start = YText.unicodeScalarOffset(utf16Offset: index, in: string)
                        let scalarCount = string.unicodeScalars.count
                        let startUTF16 = YText.utf16Offset(unicodeScalarOffset: start, in: string)
                        let endUTF16 = YText.utf16Offset(
                            unicodeScalarOffset: min(scalarCount, start + count), in: string)
                        if endUTF16 > startUTF16 { try text.delete(at: startUTF16, count: endUTF16 - startUTF16) }
                    } else {
                        try text.delete(at: index, count: count)
                    }
                } else {
                    var index = Int.random(in: 0...text.length, using: &rng)
                    if unicode {
                        let string = text.string
                        index = YText.utf16Offset(
                            unicodeScalarOffset: YText.unicodeScalarOffset(utf16Offset: index, in: string), in: string)
                    }
                    try text.insert(word(&rng, unicode: unicode), at: index)
                }
            } else if choice < 0.7 {
                let key = keys.randomElement(using: &rng) ?? "a"
                let roll = Double.random(in: 0..<1, using: &rng)
                if roll < 0.15 && map[key] != nil {
                    map.remove(key)
                } else if roll < 0.35, case .map(let inner)? = map[key] {
                    inner.set(keys.randomElement(using: &rng) ?? "a", .integer(Int.random(in: 0...1000, using: &rng)))
                } else if roll < 0.45 {
                    map.setMap(key).set("x", .integer(Int.random(in: 0...100, using: &rng)))
                } else if roll < 0.5 {
                    try map.setArray(key).insert(
                        [.integer(Int.random(in: 0...9, using: &rng)), .string(word(&rng))], at: 0)
                } else if Bool.random(using: &rng) {
                    map.set(key, .integer(Int.random(in: -1000...1000, using: &rng)))
                } else {
                    map.set(key, .string(word(&rng)))
                }
            } else {
                if array.count > 0 && Double.random(in: 0..<1, using: &rng) < 0.3 {
                    try array.delete(at: Int.random(in: 0..<array.count, using: &rng))
                } else {
                    let index = Int.random(in: 0...array.count, using: &rng)
                    if Double.random(in: 0..<1, using: &rng) < 0.2 {
                        try array.insertMap(at: index).set("y", .string(word(&rng)))
                    } else if Bool.random(using: &rng) {
                        try array.insert([.integer(Int.random(in: 0...1000, using: &rng))], at: index)
                    } else {
                        try array.insert([.string(word(&rng))], at: index)
                    }
                }
            }
        }
    }

    /// The content of the three roots as plain data, numbers normalised.
    static func content(_ doc: Doc) -> AnyValue {
        AnyValue.object([
            "text": .string(doc.getText("text").string),
            "delta": .array(
                doc.getText("text").delta.map { run in
                    .array([run.insert.json, .object(run.attributes)])
                }),
            "map": doc.getMap("map").json,
            "array": doc.getArray("array").json,
        ]).normalizingNumbers
    }
}
