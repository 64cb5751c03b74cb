import AtomoCRDT
import AtomoTesting
import Foundation
import Testing

@Suite(
    "Golden fixtures from yrs and the B4 trace",
    SharedData.requirement.trait)
struct GoldenFixtureTests {
    @Test("yrs's B4 update decodes to the trace's endContent")
    func yrsUpdateDecodes() async throws {
        let update = try SharedData.bytes("yrs-b4-update-v1.bin")
        let trace = try await SharedData.automergePaper()
        let doc = Doc()
        try doc.applyUpdate(update)
        #expect(!doc.hasPendingUpdates)
        #expect(doc.rootNames.count == 1)
        let name = try #require(doc.rootNames.first)
        #expect(doc.getText(name).string == trace.endContent)
        #expect(doc.getText(name).length == trace.endContent.utf16.count)
    }

    @Test("Atomo's re-encoding of yrs's document decodes to the same text and is not larger")
    func reencodingRoundTrips() async throws {
        let update = try SharedData.bytes("yrs-b4-update-v1.bin")
        let doc = Doc()
        try doc.applyUpdate(update)
        let name = try #require(doc.rootNames.first)
        let reencoded = doc.encodeStateAsUpdate()
        let copy = Doc()
        try copy.applyUpdate(reencoded)
        #expect(copy.getText(name).string == doc.getText(name).string)
        #expect(copy.stateVector == doc.stateVector)
        #expect(reencoded.count <= update.count)
    }

    @Test("replaying the B4 trace locally yields endContent, and the encoding is no larger than yrs's")
    func replayTrace() async throws {
        let trace = try await SharedData.automergePaper()
        // yrs's 53-bit client id, so that ids cost as many bytes as in yrs's encoding.
        let doc = Doc(clientID: 182_476_973_021_437)
        let text = doc.getText("text")
        for edit in trace.edits {
            if edit.deleteCount > 0 { try text.delete(at: edit.position, count: edit.deleteCount) }
            if !edit.insert.isEmpty { try text.insert(edit.insert, at: edit.position) }
        }
        #expect(text.string == trace.endContent)
        let encoded = doc.encodeStateAsUpdate()
        #expect(encoded.count <= (try SharedData.bytes("yrs-b4-update-v1.bin")).count)
        let copy = Doc()
        try copy.applyUpdate(encoded)
        #expect(copy.getText("text").string == trace.endContent)
    }
}
