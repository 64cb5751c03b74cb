import AtomoCRDT
import AtomoTesting
import Testing

@Suite("Convergence of concurrent Atomo replicas")
struct ConvergenceTests {
    /// Three replicas edit apart, then exchange every update in a random order with duplicates.
    @Test("replicas converge after exchanging shuffled, duplicated updates", arguments: Array(1...40) as [UInt64])
    func shuffledExchange(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let docs = [Doc(clientID: 11), Doc(clientID: 22), Doc(clientID: 33)]
        for round in 0..<5 {
            var updates: [[[UInt8]]] = [[], [], []]
            for (index, doc) in docs.enumerated() {
                let observation = doc.observeUpdates { update, _ in updates[index].append(update) }
                for _ in 0..<Int.random(in: 1...25, using: &rng) {
                    try RandomEdits.edit(doc, &rng, unicode: round % 2 == 1)
                }
                doc.unobserve(observation)
            }
            for (index, doc) in docs.enumerated() {
                var incoming = updates.enumerated().filter { $0.offset != index }.flatMap(\.element)
                incoming += incoming.prefix(3)
                incoming.shuffle(using: &rng)
                for update in incoming { try doc.applyUpdate(update) }
                #expect(!doc.hasPendingUpdates)
            }
            #expect(RandomEdits.content(docs[0]) == RandomEdits.content(docs[1]))
            #expect(RandomEdits.content(docs[1]) == RandomEdits.content(docs[2]))
            #expect(docs[0].stateVector == docs[1].stateVector)
            #expect(docs[1].stateVector == docs[2].stateVector)
            #expect(docs[0].getText("text").string == docs[2].getText("text").string)
        }
        // The edits did something to every root.
        #expect(docs[0].getText("text").length > 0)
        #expect(docs[0].getMap("map").count > 0)
        #expect(docs[0].getArray("array").count > 0)
        // A fresh replica built from any one's full state matches too.
        let copy = Doc(clientID: 99)
        try copy.applyUpdate(docs[1].encodeStateAsUpdate())
        #expect(RandomEdits.content(copy) == RandomEdits.content(docs[0]))
    }

    @Test("formatting that splits a surrogate pair leaves every replica with the same text")
    func surrogatePairSplit() throws {
        let a = Doc(clientID: 1)
        let b = Doc(clientID: 2)
        let text = a.getText("t")
        try text.insert("x😀y", at: 0)
        try b.applyUpdate(a.encodeStateAsUpdate())
        // Removing an attribute that is not there splits inside the pair and merges it back.
        try text.format(at: 2, count: 2, attributes: ["font": .null])
        try b.applyUpdate(a.encodeStateAsUpdate(since: b.stateVector))
        #expect(text.string == "x😀y")
        #expect(b.getText("t").string == "x😀y")
        // A format mark between the halves splits the pair for good: every replica reads U+FFFD twice.
        try text.format(at: 2, count: 2, attributes: ["font": "serif"])
        try b.applyUpdate(a.encodeStateAsUpdate(since: b.stateVector))
        let c = Doc(clientID: 3)
        try c.applyUpdate(a.encodeStateAsUpdate())
        #expect(text.string == "x\u{FFFD}\u{FFFD}y")
        #expect(b.getText("t").string == text.string)
        #expect(c.getText("t").string == text.string)
        #expect(c.getText("t").delta == text.delta)
        #expect(text.length == 4 && c.getText("t").length == 4)
    }

    @Test("a replica that receives new content under its own client id switches to a new id")
    func clientIDCollision() throws {
        let a = Doc(clientID: 7)
        let b = Doc(clientID: 7)
        try b.getText("t").insert("b", at: 0)
        // a wrote more under the same id, so b's state for id 7 advances: a collision b can detect.
        try a.getText("t").insert("from a", at: 0)
        try b.applyUpdate(a.encodeStateAsUpdate())
        #expect(b.clientID != 7)
        #expect(a.clientID == 7)
        // b's next edits travel under its new id and reach a.
        try b.getText("t").insert("!", at: 0)
        try a.applyUpdate(b.encodeStateAsUpdate(since: a.stateVector))
        #expect(a.getText("t").string.hasPrefix("!"))
        #expect(a.stateVector[b.clientID] == 1)
    }

    @Test("state as update since a state vector carries exactly what is missing")
    func incrementalSync() throws {
        var rng = SeededGenerator(seed: 42)
        let a = Doc(clientID: 1)
        let b = Doc(clientID: 2)
        for _ in 0..<40 { try RandomEdits.edit(a, &rng) }
        try b.applyUpdate(a.encodeStateAsUpdate())
        for _ in 0..<40 { try RandomEdits.edit(a, &rng) }
        for _ in 0..<40 { try RandomEdits.edit(b, &rng) }
        let forB = a.encodeStateAsUpdate(since: b.stateVector)
        let forA = b.encodeStateAsUpdate(since: a.stateVector)
        #expect(forB.count < a.encodeStateAsUpdate().count)
        try b.applyUpdate(forB)
        try a.applyUpdate(forA)
        #expect(RandomEdits.content(a) == RandomEdits.content(b))
        #expect(a.stateVector == b.stateVector)
    }

    @Test("out-of-order updates wait as pending structs and pending deletes, then complete")
    func pendingUpdates() throws {
        let a = Doc(clientID: 1)
        var updates: [[UInt8]] = []
        a.observeUpdates { update, _ in updates.append(update) }
        let text = a.getText("text")
        try text.insert("hello", at: 0)
        try text.insert(" world", at: 5)
        try text.delete(at: 0, count: 1)
        let b = Doc(clientID: 2)
        try b.applyUpdate(updates[2])
        #expect(b.hasPendingUpdates)
        #expect(b.getText("text").string == "")
        try b.applyUpdate(updates[1])
        #expect(b.hasPendingUpdates)
        #expect(b.getText("text").string == "")
        // b's own state update carries its pending content to a third replica.
        let c = Doc(clientID: 3)
        try c.applyUpdate(b.encodeStateAsUpdate())
        try b.applyUpdate(updates[0])
        #expect(!b.hasPendingUpdates)
        #expect(b.getText("text").string == "ello world")
        try c.applyUpdate(updates[0])
        #expect(c.getText("text").string == "ello world")
        #expect(!c.hasPendingUpdates)
    }

    @Test("thousands of updates in reverse and shuffled order integrate through pending structs")
    func manyOutOfOrderUpdates() throws {
        var rng = SeededGenerator(seed: 11)
        let source = Doc(clientID: 1)
        var updates: [[UInt8]] = []
        source.observeUpdates { update, _ in updates.append(update) }
        let text = source.getText("text")
        for _ in 0..<2000 {
            if text.length > 0 && Int.random(in: 0..<4, using: &rng) == 0 {
                try text.delete(at: Int.random(in: 0..<text.length, using: &rng), count: 1)
            } else {
                try text.insert(RandomEdits.word(&rng), at: Int.random(in: 0...text.length, using: &rng))
            }
        }
        for order in [updates.reversed(), updates.shuffled(using: &rng)] {
            let doc = Doc(clientID: 2)
            for (index, update) in order.enumerated() {
                try doc.applyUpdate(update)
                if index < order.count - 1 && index % 500 == 0 { #expect(doc.hasPendingUpdates) }
            }
            #expect(!doc.hasPendingUpdates)
            #expect(doc.getText("text").string == text.string)
            #expect(doc.stateVector == source.stateVector)
        }
    }

    @Test("merging and diffing updates without a document", arguments: Array(7...30) as [UInt64])
    func mergeAndDiff(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let a = Doc(clientID: 5)
        let b = Doc(clientID: 6)
        var updates: [[UInt8]] = []
        a.observeUpdates { update, _ in updates.append(update) }
        b.observeUpdates { update, _ in updates.append(update) }
        for _ in 0..<30 {
            try RandomEdits.edit(Bool.random(using: &rng) ? a : b, &rng)
            if Int.random(in: 0..<4, using: &rng) == 0 {
                try a.applyUpdate(b.encodeStateAsUpdate(since: a.stateVector))
                try b.applyUpdate(a.encodeStateAsUpdate(since: b.stateVector))
            }
        }
        try a.applyUpdate(b.encodeStateAsUpdate(since: a.stateVector))
        let merged = try Updates.merge(updates.shuffled(using: &rng) + updates.prefix(4))
        let fromMerged = Doc(clientID: 7)
        try fromMerged.applyUpdate(merged)
        #expect(RandomEdits.content(fromMerged) == RandomEdits.content(a))
        #expect(try Updates.stateVector(of: merged) == a.stateVector)

        // Diff against a partial replica: applying the diff completes it.
        let partial = Doc(clientID: 8)
        let half = updates.count / 2
        try partial.applyUpdate(try Updates.merge(Array(updates.prefix(half))))
        let diff = try Updates.diff(merged, since: partial.stateVector)
        #expect(diff.count <= merged.count)
        try partial.applyUpdate(diff)
        #expect(RandomEdits.content(partial) == RandomEdits.content(a))

        // A merge of partial updates with a gap applies once the gap is filled.
        let gapped = try Updates.merge([updates[0], updates[updates.count - 1]])
        let late = Doc(clientID: 9)
        try late.applyUpdate(gapped)
        for update in updates { try late.applyUpdate(update) }
        #expect(RandomEdits.content(late) == RandomEdits.content(a))
        #expect(!late.hasPendingUpdates)
    }
}
