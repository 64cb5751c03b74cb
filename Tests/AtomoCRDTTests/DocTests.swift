import AtomoCRDT
import Testing

@Suite("Doc, YText, YMap, YArray")
struct DocTests {
    @Test("text inserts and deletes count UTF-16 code units; conversions between units")
    func textUnits() throws {
        let doc = Doc()
        let text = doc.getText("t")
        try text.insert("héllo", at: 0)
        try text.insert("😀", at: 2)
        #expect(text.string == "hé😀llo")
        #expect(text.length == 7)
        try text.delete(at: 2, count: 2)
        #expect(text.string == "héllo")
        let string = "a😀b"
        #expect(YText.utf16Offset(unicodeScalarOffset: 2, in: string) == 3)
        #expect(YText.unicodeScalarOffset(utf16Offset: 3, in: string) == 2)
        #expect(YText.utf16Offset(utf8Offset: 5, in: string) == 3)
        #expect(YText.utf8Offset(utf16Offset: 3, in: string) == 5)
        #expect(throws: CRDTError.indexOutOfBounds(index: 9, length: 5)) { try text.insert("x", at: 9) }
        #expect(throws: CRDTError.self) { try text.delete(at: 3, count: 5) }
    }

    @Test("sequential typing is stored as one struct")
    func runsMerge() throws {
        let doc = Doc(clientID: 1)
        let text = doc.getText("t")
        for (index, character) in String(repeating: "abcdefghij", count: 100).enumerated() {
            try text.insert(String(character), at: index)
        }
        try text.delete(at: 999, count: 1)
        let update = doc.encodeStateAsUpdate()
        // 1000 characters in one string struct plus a split-off deleted unit: far below 2 bytes per edit.
        #expect(update.count < 1030)
        let copy = Doc()
        try copy.applyUpdate(update)
        #expect(copy.getText("t").string == text.string)
    }

    @Test("formatting attributes produce the same delta on every replica")
    func formatting() throws {
        let doc = Doc(clientID: 1)
        let text = doc.getText("t")
        try text.insert("Hello world", at: 0)
        try text.format(at: 0, count: 5, attributes: ["bold": true])
        try text.insert("!", at: 11, attributes: ["italic": true])
        try text.insertEmbed(["image": "x.png"], at: 5)
        let expected: [YText.Run] = [
            .init(insert: .any("Hello"), attributes: ["bold": true]),
            // As in Yjs, content inserted without attributes takes those in effect before it.
            .init(insert: .any(["image": "x.png"]), attributes: ["bold": true]),
            .init(insert: .any(" world"), attributes: [:]),
            .init(insert: .any("!"), attributes: ["italic": true]),
        ]
        #expect(text.delta == expected)
        #expect(text.string == "Hello world!")
        #expect(text.length == 13)
        let copy = Doc(clientID: 2)
        try copy.applyUpdate(doc.encodeStateAsUpdate())
        #expect(copy.getText("t").delta == expected)
        try text.format(at: 0, count: 5, attributes: ["bold": .null])
        try copy.applyUpdate(doc.encodeStateAsUpdate(since: copy.stateVector))
        #expect(copy.getText("t").delta.first == YText.Run(insert: .any("Hello"), attributes: [:]))
    }

    @Test("maps, arrays and nested types")
    func nested() throws {
        let doc = Doc(clientID: 1)
        let map = doc.getMap("m")
        map.set("title", "Atomo")
        map.set("count", 3)
        let inner = map.setMap("inner")
        inner.set("flag", true)
        let list = map.setArray("list")
        try list.insert([1, 2, 3], at: 0)
        try list.delete(at: 1)
        let note = try list.insertText(at: 0)
        try note.insert("hi", at: 0)
        map.remove("count")
        #expect(map.keys == ["inner", "list", "title"])
        #expect(map.json == ["title": "Atomo", "inner": ["flag": true], "list": ["hi", 1, 3]])
        #expect(list[1] == .any(1))
        let copy = Doc(clientID: 2)
        try copy.applyUpdate(doc.encodeStateAsUpdate())
        #expect(copy.getMap("m").json == map.json)
        guard case .array(let copiedList)? = copy.getMap("m")["list"], case .text(let copiedNote)? = copiedList[0]
        else {
            Issue.record("nested types did not decode as their kinds")
            return
        }
        try copiedNote.insert("!", at: 2)
        try doc.applyUpdate(copy.encodeStateAsUpdate(since: doc.stateVector))
        #expect(note.string == "hi!")
    }

    @Test("concurrent map writes resolve the same way everywhere")
    func mapConflict() throws {
        let a = Doc(clientID: 1)
        let b = Doc(clientID: 2)
        a.getMap("m").set("k", "from a")
        b.getMap("m").set("k", "from b")
        try a.applyUpdate(b.encodeStateAsUpdate())
        try b.applyUpdate(a.encodeStateAsUpdate())
        #expect(a.getMap("m")["k"] == b.getMap("m")["k"])
        #expect(a.getMap("m")["k"] == .any("from b"))
    }

    @Test("observers report text deltas and map key changes, local and remote")
    func observers() throws {
        let doc = Doc(clientID: 1)
        let text = doc.getText("t")
        let map = doc.getMap("m")
        var textEvents: [YEvent] = []
        var mapEvents: [YEvent] = []
        text.observe { textEvents.append($0) }
        map.observe { mapEvents.append($0) }
        try text.insert("abc", at: 0)
        try text.insert("d", at: 3)
        try text.delete(at: 1, count: 1)
        map.set("k", 1)
        map.set("k", 2)
        map.remove("k")
        #expect(
            textEvents.map(\.delta) == [
                [.insert([.any("abc")])], [.retain(3), .insert([.any("d")])], [.retain(1), .delete(1)],
            ])
        #expect(
            mapEvents.map(\.keys) == [
                ["k": .added], ["k": .updated(oldValue: .any(1))], ["k": .deleted(oldValue: .any(2))],
            ])
        #expect(textEvents.allSatisfy { $0.isLocal })

        let remote = Doc(clientID: 2)
        var remoteEvents: [YEvent] = []
        remote.getText("t").observe { remoteEvents.append($0) }
        try remote.applyUpdate(doc.encodeStateAsUpdate(), origin: "peer")
        #expect(remoteEvents.count == 1)
        #expect(remoteEvents.first?.delta == [.insert([.any("acd")])])
        #expect(remoteEvents.first?.isLocal == false)
        #expect(remoteEvents.first?.origin == "peer")
    }

    @Test("deep observers see changes in nested types with their paths")
    func deepObservers() throws {
        let doc = Doc(clientID: 1)
        let root = doc.getMap("root")
        let list = root.setArray("list")
        try list.append(["a"])
        let note = try list.insertText(at: 1)
        var batches: [[YEvent]] = []
        let observation = root.observeDeep { batches.append($0) }
        try note.insert("hi", at: 0)
        doc.transact { _ in
            root.set("title", "x")
            try? list.insert(["b"], at: 0)
        }
        #expect(batches.count == 2)
        #expect(batches.first?.map(\.path) == [[.key("list"), .index(1)]])
        #expect(batches.first?.first?.delta == [.insert([.any("hi")])])
        let paths = batches.last?.map(\.path).sorted { $0.count < $1.count }
        #expect(paths == [[], [.key("list")]])
        root.unobserve(observation)
        try note.insert("!", at: 2)
        #expect(batches.count == 2)
    }

    @Test("update observers see one update per transaction that reproduces it")
    func updateObserver() throws {
        let doc = Doc(clientID: 1)
        var updates: [[UInt8]] = []
        doc.observeUpdates { update, _ in updates.append(update) }
        doc.transact { _ in
            try? doc.getText("t").insert("ab", at: 0)
            doc.getMap("m").set("x", 1)
        }
        #expect(updates.count == 1)
        let copy = Doc()
        try copy.applyUpdate(updates[0])
        #expect(copy.getText("t").string == "ab")
        #expect(copy.getMap("m")["x"] == .any(1))
    }

    @Test("garbage collection drops deleted content; without it the content is kept")
    func garbageCollection() throws {
        func build(gc: Bool) throws -> [UInt8] {
            let doc = Doc(clientID: 1, garbageCollection: gc)
            let text = doc.getText("t")
            try text.insert(String(repeating: "x", count: 500), at: 0)
            let map = doc.getMap("m")
            let inner = map.setMap("inner")
            for index in 0..<50 { inner.set("k\(index)", .string(String(repeating: "v", count: 20))) }
            try text.delete(at: 0, count: 500)
            map.remove("inner")
            return doc.encodeStateAsUpdate()
        }
        let collected = try build(gc: true)
        let kept = try build(gc: false)
        #expect(collected.count < 200)
        #expect(kept.count > 1000)
        for update in [collected, kept] {
            let copy = Doc()
            try copy.applyUpdate(update)
            #expect(copy.getText("t").string == "")
            #expect(copy.getMap("m").json == [:])
        }
    }
}
