import AtomoCRDT
import AtomoTesting
import Testing

@Suite("y-protocols sync and awareness between Atomo replicas")
struct SyncTests {
    /// Delivers `message` to `doc` through its binary form, as a transport would.
    static func deliver(_ message: ProtocolMessage, to doc: Doc) throws -> ProtocolMessage? {
        guard case .sync(let sync) = try ProtocolMessage(decoding: message.encoded) else { return nil }
        return try doc.handleSync(sync, origin: "remote").map(ProtocolMessage.sync)
    }

    @Test("the two-step handshake brings diverged replicas to the same state")
    func handshake() throws {
        var rng = SeededGenerator(seed: 3)
        let server = Doc(clientID: 1)
        let client = Doc(clientID: 2)
        for _ in 0..<30 { try RandomEdits.edit(server, &rng) }
        for _ in 0..<30 { try RandomEdits.edit(client, &rng) }
        let clientStep2 = try #require(try Self.deliver(.sync(client.syncStep1()), to: server))
        let serverStep2 = try #require(try Self.deliver(.sync(server.syncStep1()), to: client))
        #expect(try Self.deliver(clientStep2, to: client) == nil)
        #expect(try Self.deliver(serverStep2, to: server) == nil)
        #expect(RandomEdits.content(server) == RandomEdits.content(client))
        #expect(server.stateVector == client.stateVector)

        // Afterwards, updates flow as update messages, and the origin lets a provider skip echoes.
        var outgoing: [ProtocolMessage] = []
        server.observeUpdates { update, transaction in
            if transaction.origin != "remote" { outgoing.append(.sync(.update(update))) }
        }
        try server.getText("text").insert("live", at: 0)
        try client.applyUpdate(client.encodeStateAsUpdate(since: server.stateVector), origin: "remote")
        for message in outgoing { _ = try Self.deliver(message, to: client) }
        #expect(outgoing.count == 1)
        #expect(client.getText("text").string == server.getText("text").string)
    }

    @Test("protocol messages round-trip and reject garbage")
    func framing() throws {
        let messages: [ProtocolMessage] = [
            .sync(.step1(StateVector([1: 2]))), .sync(.step2([0, 0])), .sync(.update([0, 0])), .awareness([1, 2, 3]),
            .permissionDenied(reason: "no"), .queryAwareness,
        ]
        for message in messages { #expect(try ProtocolMessage(decoding: message.encoded) == message) }
        #expect(ProtocolMessage.sync(.step1(StateVector([1: 2]))).encoded == [0, 0, 3, 1, 1, 2])
        #expect(throws: CRDTError.self) { try ProtocolMessage(decoding: [9]) }
        #expect(throws: CRDTError.self) { try ProtocolMessage(decoding: [0, 1, 5, 0]) }
    }

    @Test("awareness: newer clocks win, removals propagate, outdated states expire")
    func awareness() throws {
        var time: UInt64 = 1000
        let alice = Awareness(clientID: 1, now: { time })
        let bob = Awareness(clientID: 2, now: { time })
        var changes: [Awareness.Change] = []
        bob.observe { change, _ in changes.append(change) }
        alice.setLocalState(["name": "Alice"])
        try bob.applyUpdate(alice.encodeUpdate())
        #expect(bob.states[1] == ["name": "Alice"])
        let stale = alice.encodeUpdate()
        alice.setLocalState(["name": "Alice", "cursor": 4])
        try bob.applyUpdate(alice.encodeUpdate())
        try bob.applyUpdate(stale)
        #expect(bob.states[1] == ["name": "Alice", "cursor": 4])
        alice.setLocalState(nil)
        try bob.applyUpdate(alice.encodeUpdate())
        #expect(bob.states[1] == nil)
        #expect(changes.map(\.added) == [[1], [], []])
        #expect(changes.map(\.updated) == [[], [1], []])
        #expect(changes.map(\.removed) == [[], [], [1]])

        alice.setLocalState(["name": "Alice"])
        try bob.applyUpdate(alice.encodeUpdate())
        time += Awareness.outdatedTimeout
        #expect(bob.removeOutdated() == [1])
        #expect(throws: CRDTError.self) { try bob.applyUpdate([1, 1, 1, 3, 0x7B, 0x7B, 0x7B]) }
    }
}
