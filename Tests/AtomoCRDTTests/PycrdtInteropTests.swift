import AtomoCRDT
import AtomoTesting
import Foundation
import Testing

/// Runs `Tests/interop/crdt/peer.py` with the interpreter in `ATOMO_INTEROP_PYTHON` (a venv with
/// pycrdt 0.14, made by `scripts/test`), one JSON request in, one JSON response out.
enum PycrdtPeer {
    static var python: String? { TestEnvironment.interopPython }

    /// pycrdt importable by `ATOMO_INTEROP_PYTHON`.
    static let requirement = TestEnvironment.interopPython(importing: ["pycrdt"])

    static var script: URL {
        // #filePath may be reached through a symlinked package; resolve it to find Tests/interop.
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("interop/crdt/peer.py")
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func run(_ request: [String: Any]) async throws -> [String: Any] {
        guard let python else { throw Failure(description: "ATOMO_INTEROP_PYTHON is not set") }
        let body = try JSONSerialization.data(withJSONObject: request)
        let inputPath = FileManager.default.temporaryDirectory.appendingPathComponent(
            "atomo-crdt-\(UUID().uuidString).json")
        try body.write(to: inputPath)
        defer { try? FileManager.default.removeItem(at: inputPath) }
        let outcome = try await HelperProcess(
            executable: URL(fileURLWithPath: python), arguments: [script.path], input: inputPath, timeLimit: .seconds(300)
        ).finish()
        guard outcome.status == 0, !outcome.killedBySignal,
            let response = try JSONSerialization.jsonObject(with: outcome.output) as? [String: Any]
        else {
            throw Failure(description: "peer.py failed (\(outcome.status)): \(outcome.errors)")
        }
        return response
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func bytes(_ hex: Any?) throws -> [UInt8] {
        guard let hex = hex as? String, hex.count % 2 == 0 else {
            throw Failure(description: "expected hex, got \(String(describing: hex))")
        }
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { throw Failure(description: "bad hex") }
            result.append(byte)
            index = next
        }
        return result
    }

    /// Python's JSON as an AnyValue with numbers normalised.
    static func value(_ object: Any?) -> AnyValue {
        switch object {
        case let string as String: return .string(string)
        case let number as NSNumber: return .double(number.doubleValue)
        case let array as [Any]: return .array(array.map(value))
        case let dictionary as [String: Any]: return .object(dictionary.mapValues(value))
        default: return .null
        }
    }
}

@Suite(
    "Interoperability with pycrdt 0.14 (yrs)",
    PycrdtPeer.requirement.trait
)
struct PycrdtInteropTests {
    /// Two Atomo docs and one pycrdt doc edit apart, then exchange updates in random order with duplicates.
    @Test("two Atomo replicas and a pycrdt replica converge", arguments: Array(1...8) as [UInt64])
    func threePeersConverge(seed: UInt64) async throws {
        var rng = SeededGenerator(seed: seed)
        let a = Doc(clientID: 1001)
        let b = Doc(clientID: 1002)
        let pythonClient = 1003
        var pythonState: String?
        for round in 0..<4 {
            var fromA: [[UInt8]] = []
            var fromB: [[UInt8]] = []
            let observeA = a.observeUpdates { update, _ in fromA.append(update) }
            let observeB = b.observeUpdates { update, _ in fromB.append(update) }
            for _ in 0..<Int.random(in: 5...30, using: &rng) { try RandomEdits.edit(a, &rng) }
            for _ in 0..<Int.random(in: 5...30, using: &rng) { try RandomEdits.edit(b, &rng) }
            a.unobserve(observeA)
            b.unobserve(observeB)
            var request: [String: Any] = [
                "client_id": pythonClient, "edits": Int.random(in: 5...30, using: &rng),
                "seed": Int(seed) * 100 + round,
            ]
            if let pythonState { request["state"] = pythonState }
            let edited = try await PycrdtPeer.run(request)
            let fromPython = try (edited["updates"] as? [Any] ?? []).map(PycrdtPeer.bytes)
            #expect(!fromPython.isEmpty)

            func shuffledWithDuplicates(_ updates: [[UInt8]]) -> [[UInt8]] {
                (updates + updates.prefix(2)).shuffled(using: &rng)
            }
            for update in shuffledWithDuplicates(fromB + fromPython) { try a.applyUpdate(update) }
            for update in shuffledWithDuplicates(fromA + fromPython) { try b.applyUpdate(update) }
            // pycrdt 0.14 itself leaves some out-of-order updates unintegrated (it does so with its
            // own updates too), so its peer gets the shuffled list again until its state stops
            // changing; the Atomo replicas receive it once.
            let merged = try await PycrdtPeer.run([
                "client_id": pythonClient, "state": edited["state"] ?? "",
                "apply": shuffledWithDuplicates(fromA + fromB).map(PycrdtPeer.hex), "redeliver": true,
            ])
            pythonState = merged["state"] as? String

            let pythonContent = PycrdtPeer.value(merged["json"])
            #expect(!a.hasPendingUpdates && !b.hasPendingUpdates)
            #expect(RandomEdits.content(a) == RandomEdits.content(b))
            #expect(RandomEdits.content(a) == pythonContent, "round \(round)")
            let pythonVector = try StateVector(decoding: try PycrdtPeer.bytes(merged["state_vector"]))
            #expect(a.stateVector == b.stateVector)
            #expect(a.stateVector == pythonVector)
        }
    }

    @Test("sync step 1, step 2 and update messages interoperate both ways")
    func syncMessages() async throws {
        var rng = SeededGenerator(seed: 77)
        let swiftDoc = Doc(clientID: 2001)
        for _ in 0..<30 { try RandomEdits.edit(swiftDoc, &rng) }
        // The pycrdt peer makes its own edits, answers our step 1 and sends its own step 1.
        let first = try await PycrdtPeer.run([
            "client_id": 2002, "edits": 25, "seed": 5, "sync": PycrdtPeer.hex(swiftDoc.syncStep1().encoded),
            "want_sync_step1": true,
        ])
        // Its step 1 was created before its edits and its reply; both are framed as y-websocket messages.
        let reply = try ProtocolMessage(decoding: try PycrdtPeer.bytes(first["sync_reply"]))
        guard case .sync(let step2) = reply, case .step2 = step2 else {
            Issue.record("expected sync step 2, got \(reply)")
            return
        }
        #expect(try swiftDoc.handleSync(step2) == nil)
        let theirStep1 = try ProtocolMessage(decoding: try PycrdtPeer.bytes(first["sync_step1"]))
        guard case .sync(let step1) = theirStep1, case .step1 = step1 else {
            Issue.record("expected sync step 1, got \(theirStep1)")
            return
        }
        let ourStep2 = try #require(try swiftDoc.handleSync(step1))
        // A local change after the handshake travels as an update message.
        var updates: [[UInt8]] = []
        swiftDoc.observeUpdates { update, _ in updates.append(update) }
        try swiftDoc.getText("text").insert("sync!", at: 0)
        let updateMessage = SyncMessage.update(try #require(updates.first))
        let pythonAfterStep2 = try await PycrdtPeer.run([
            "client_id": 2002, "state": first["state"] ?? "", "sync": PycrdtPeer.hex(ourStep2.encoded),
        ])
        let pythonAfterUpdate = try await PycrdtPeer.run([
            "client_id": 2002, "state": pythonAfterStep2["state"] ?? "", "sync": PycrdtPeer.hex(updateMessage.encoded),
        ])
        #expect(RandomEdits.content(swiftDoc) == PycrdtPeer.value(pythonAfterUpdate["json"]))
        #expect(
            swiftDoc.stateVector == (try StateVector(decoding: try PycrdtPeer.bytes(pythonAfterUpdate["state_vector"])))
        )
        #expect(swiftDoc.getText("text").string.hasPrefix("sync!"))
    }

    @Test("formatted text, embeds and non-ASCII text interoperate both ways")
    func richText() async throws {
        let doc = Doc(clientID: 4001)
        let rich = doc.getText("rich")
        try rich.insert("Hello wörld 😀 and more", at: 0)
        try rich.format(at: 0, count: 5, attributes: ["font": "serif"])
        try rich.insertEmbed(["image": "cat.png"], at: 11, attributes: [:])
        try rich.insert("!", at: rich.length, attributes: ["color": "red"])
        try rich.delete(at: 6, count: 2)
        try rich.format(at: 2, count: 2, attributes: ["font": .null])
        // pycrdt applies it, then formats and inserts within the ASCII prefix (its offsets are UTF-8 bytes).
        let response = try await PycrdtPeer.run([
            "client_id": 4002, "apply": [PycrdtPeer.hex(doc.encodeStateAsUpdate())],
            "rich": [
                ["format", 0, 2, ["color": "blue"]], ["insert", 0, ">> ", ["font": "mono"]], ["delete", 9, 10],
            ],
        ])
        for update in try (response["updates"] as? [Any] ?? []).map(PycrdtPeer.bytes) { try doc.applyUpdate(update) }
        let pythonDelta = (response["rich_delta"] as? [[Any]] ?? []).map { pair in
            YText.Run(
                insert: .any(PycrdtPeer.value(pair[0])),
                attributes: (PycrdtPeer.value(pair[1]).objectValue ?? [:]))
        }
        let swiftDelta = rich.delta.map {
            YText.Run(insert: .any($0.insert.json.normalizingNumbers), attributes: $0.attributes)
        }
        #expect(swiftDelta == pythonDelta)
        #expect(swiftDelta.count >= 5)
        #expect(rich.string.hasPrefix(">> Hel"))
        #expect(rich.string.contains("😀"))
    }

    @Test("updates merged by Atomo, with skip structs for gaps, apply in pycrdt")
    func mergedUpdatesWithGaps() async throws {
        var rng = SeededGenerator(seed: 21)
        let doc = Doc(clientID: 5001)
        var updates: [[UInt8]] = []
        doc.observeUpdates { update, _ in updates.append(update) }
        for _ in 0..<40 { try RandomEdits.edit(doc, &rng) }
        let half = updates.count / 2
        // The second half merged on its own has a gap before it: Atomo writes a skip struct there.
        let early = try Updates.merge(Array(updates[..<half]))
        let late = try Updates.merge(Array(updates[half...]) + [updates[0]])
        #expect(try Updates.stateVector(of: late)[5001] < doc.stateVector[5001])
        let response = try await PycrdtPeer.run([
            "client_id": 5002, "apply": [PycrdtPeer.hex(late), PycrdtPeer.hex(early)], "redeliver": true,
        ])
        #expect(PycrdtPeer.value(response["json"]) == RandomEdits.content(doc))
        #expect(try StateVector(decoding: try PycrdtPeer.bytes(response["state_vector"])) == doc.stateVector)
    }

    @Test("awareness updates interoperate both ways")
    func awareness() async throws {
        let awareness = Awareness(clientID: 3001)
        awareness.setLocalState(["user": "atomo", "cursor": 3])
        let response = try await PycrdtPeer.run(["client_id": 3002, "awareness": PycrdtPeer.hex(awareness.encodeUpdate())])
        let states = PycrdtPeer.value(response["awareness_states"])
        #expect(states == AnyValue.object(["3001": ["user": "atomo", "cursor": 3.0], "3002": ["user": "pycrdt"]]))
        let change = try awareness.applyUpdate(try PycrdtPeer.bytes(response["awareness_update"]))
        #expect(change.added == [3002])
        #expect(awareness.states[3002] == ["user": "pycrdt"])
    }

    @Test(
        "Atomo's encoding of the B4 document applies in pycrdt to the same text",
        SharedData.requirement.trait
    )
    func b4EncodingAppliesInPycrdt() async throws {
        let trace = try await SharedData.automergePaper()
        let doc = Doc(clientID: 1)
        let text = doc.getText("text")
        for edit in trace.edits {
            if edit.deleteCount > 0 { try text.delete(at: edit.position, count: edit.deleteCount) }
            if !edit.insert.isEmpty { try text.insert(edit.insert, at: edit.position) }
        }
        let response = try await PycrdtPeer.run(["apply": [PycrdtPeer.hex(doc.encodeStateAsUpdate())]])
        let json = PycrdtPeer.value(response["json"]).objectValue ?? [:]
        #expect(json["text"] == .string(trace.endContent))
        #expect(json["map"] == .object([:]))
        #expect(json["array"] == .array([]))
    }
}
