import AtomoCRDT
import AtomoTesting
import Testing

@Suite("Malformed updates throw typed errors and change nothing")
struct MalformedUpdateTests {
    /// A document with some content of every kind, and the updates that built it.
    static func sample(seed: UInt64) throws -> (doc: Doc, updates: [[UInt8]]) {
        var rng = SeededGenerator(seed: seed)
        let doc = Doc(clientID: 77)
        var updates: [[UInt8]] = []
        doc.observeUpdates { update, _ in updates.append(update) }
        for _ in 0..<40 { try RandomEdits.edit(doc, &rng, unicode: true) }
        try doc.getText("rich").insert("bold", at: 0, attributes: ["bold": true])
        try doc.getText("rich").insertEmbed(["image": "a.png"], at: 4)
        return (doc, updates)
    }

    struct Snapshot: Equatable {
        var update: [UInt8]
        var vector: StateVector
        var content: AnyValue
        init(_ doc: Doc) {
            update = doc.encodeStateAsUpdate()
            vector = doc.stateVector
            content = RandomEdits.content(doc)
        }
    }

    /// Applies `bytes`; when it throws, the error must be one of `CRDTError`'s decoding cases (never
    /// another error, and never `indexOutOfBounds`, which is for editing calls) and the document must be
    /// exactly as before.
    static func applyExpectingUnchangedOnError(_ bytes: [UInt8], to doc: Doc) -> Bool {
        let before = Snapshot(doc)
        do {
            try doc.applyUpdate(bytes)
            // Accepted input must leave a document that still encodes and decodes.
            let copy = Doc()
            try? copy.applyUpdate(doc.encodeStateAsUpdate())
            return false
        } catch {
            #expect(isDecodingRejection(error), "bytes \(bytes) were refused with \(error), not a decoding error")
            #expect(Snapshot(doc) == before)
            return true
        }
    }

    /// Whether `error` is a `CRDTError` that names malformed input.
    static func isDecodingRejection(_ error: any Error) -> Bool {
        switch error as? CRDTError {
        case .unexpectedEndOfInput, .integerOverflow, .invalidUTF8, .unknownValueTag, .unknownContentReference,
            .invalidStructLength, .lengthExceedsInput, .nestingTooDeep, .invalidJSON, .trailingBytes:
            true
        case .unknownMessageType, .indexOutOfBounds, nil: false
        }
    }

    @Test("random garbage is rejected", arguments: [1, 2, 3] as [UInt64])
    func garbage(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let (doc, _) = try Self.sample(seed: seed)
        var rejected = 0
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 1...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if Self.applyExpectingUnchangedOnError(bytes, to: doc) { rejected += 1 }
        }
        #expect(rejected > 450)
    }

    @Test("every truncation of a valid update is rejected with a typed error")
    func truncated() throws {
        let (source, _) = try Self.sample(seed: 4)
        let update = source.encodeStateAsUpdate()
        let doc = Doc(clientID: 5)
        try doc.getText("text").insert("unrelated", at: 0)
        for length in stride(from: 0, to: update.count, by: max(1, update.count / 300)) {
            let before = Snapshot(doc)
            #expect(throws: CRDTError.self) { try doc.applyUpdate(Array(update.prefix(length))) }
            #expect(Snapshot(doc) == before)
        }
    }

    @Test(
        "randomly mutated updates never crash and, when rejected, change nothing", arguments: Array(5...20) as [UInt64])
    func mutated(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let (source, updates) = try Self.sample(seed: seed)
        let candidates = updates + [source.encodeStateAsUpdate()]
        var rejected = 0
        for round in 0..<400 {
            var bytes = candidates.randomElement(using: &rng) ?? []
            for _ in 0..<Int.random(in: 1...4, using: &rng) where !bytes.isEmpty {
                let index = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes[index] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                case 2: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: index)
                }
            }
            // A fresh document for half the rounds, an edited one for the rest.
            let doc = Doc(clientID: 9)
            if round % 2 == 0 { try doc.applyUpdate(updates[0]) }
            if Self.applyExpectingUnchangedOnError(bytes, to: doc) { rejected += 1 }
        }
        #expect(rejected > 0)
    }

    @Test("errors name the failure")
    func typedErrors() {
        #expect(throws: CRDTError.unexpectedEndOfInput(offset: 0)) { try Doc().applyUpdate([]) }
        #expect(throws: CRDTError.trailingBytes(offset: 2)) { try Doc().applyUpdate([0, 0, 0]) }
        #expect(throws: CRDTError.lengthExceedsInput(length: 5, offset: 0)) { try Doc().applyUpdate([5, 0]) }
        // One client, one struct, client 1, clock 0, content ref 4 (string) with a root parent, bad UTF-8.
        #expect(throws: CRDTError.invalidUTF8(offset: 8)) {
            try Doc().applyUpdate([1, 1, 1, 0, 4, 1, 1, 0x74, 2, 0xC3, 0x28, 0])
        }
        // Content ref 11 after an origin (1:0).
        #expect(throws: CRDTError.unknownContentReference(reference: 11, offset: 4)) {
            try Doc().applyUpdate([1, 1, 1, 0, 0x8B, 1, 0, 0])
        }
        #expect(throws: CRDTError.integerOverflow(offset: 0)) {
            try StateVector(decoding: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        }
        #expect(throws: CRDTError.unknownMessageType(7)) { try SyncMessage(decoding: [7, 0]) }
    }

    @Test("thousands of nested types neither exhaust the stack when read, deleted and collected")
    func deepNesting() throws {
        let source = Doc(clientID: 1)
        var map = source.getMap("root")
        source.transact { _ in
            for _ in 0..<5000 { map = map.setMap("child") }
            map.set("leaf", 1)
        }
        let doc = Doc(clientID: 2)
        try doc.applyUpdate(source.encodeStateAsUpdate())
        guard case .object(let top)? = doc.json.objectValue?["root"], case .object = top["child"] else {
            Issue.record("the nested maps did not decode")
            return
        }
        doc.getMap("root").remove("child")
        #expect(doc.getMap("root").json == .object([:]))
        let copy = Doc(clientID: 3)
        try copy.applyUpdate(doc.encodeStateAsUpdate())
        #expect(copy.getMap("root").json == .object([:]))
    }

    @Test("an empty update is valid and changes nothing")
    func emptyUpdate() throws {
        let doc = Doc()
        try doc.applyUpdate([0, 0])
        #expect(doc.stateVector == StateVector())
    }
}
