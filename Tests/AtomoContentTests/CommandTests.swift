import AtomoContent
import AtomoEvents
import AtomoSchema
import Foundation
import Testing

@Suite("Commands")
struct CommandTests {
    @Test("Create, update, delete and restore write the named events and the read model follows")
    func lifecycle() async throws {
        let harness = try await SQLiteHarness.make()
        defer { Task { await harness.close() } }
        let engine = harness.engine
        let acme = try await engine.create("Company", ["name": "Acme"], as: admin)
        let ada = try await engine.create(
            "Contact", ["name": "Ada", "email": "ada@example.com", "company": .string(acme.id), "score": 7], as: admin,
            correlationID: "req-1")
        #expect(ada.version == 0)
        #expect(ada["stage"] == "Lead", "defaults apply on create")
        #expect(ada["active"] == true)
        #expect(ada["tags"] == [])
        #expect(ada.createdBy == "admin-1")
        #expect(try await engine.get("Contact", id: ada.id, as: admin) == ada, "read-your-writes")

        let updated = try await engine.update("Contact", id: ada.id, ["score": 9, "name": "Ada"], expectedVersion: 0, as: admin)
        #expect(updated.version == 1)
        #expect(updated["score"] == 9)

        await #expect(throws: ContentError.conflict(entity: "Contact", id: ada.id, expected: 0, actual: 1)) {
            try await engine.update("Contact", id: ada.id, ["score": 10], expectedVersion: 0, as: admin)
        }
        let deleted = try await engine.delete("Contact", id: ada.id, as: admin)
        #expect(deleted.isDeleted && deleted.version == 2)
        #expect(try await engine.get("Contact", id: ada.id, as: admin) == nil)
        let restored = try await engine.restore("Contact", id: ada.id, as: admin)
        #expect(!restored.isDeleted && restored.version == 3)

        let events = try await harness.store.readStream(try StreamName("Contact-\(ada.id)"))
        #expect(events.map(\.type) == ["ContactCreated", "ContactUpdated", "ContactDeleted", "ContactRestored"])
        #expect(events[0].metadata.actor == "admin-1")
        #expect(events[0].metadata.correlationID == "req-1")
        let update = try JSONSerialization.jsonObject(with: events[1].payload) as? [String: Any]
        #expect((update?["fields"] as? [String: Any])?.keys.sorted() == ["score"], "only the changed fields")
        #expect((update?["previous"] as? [String: Any])?["score"] as? Int == 7)

        let history = try await engine.history("Contact", id: ada.id, as: admin)
        #expect(history.map(\.kind) == [.created, .updated, .deleted, .restored])
        #expect(history[1].previous["score"] == 7)
        let v0 = try await engine.get("Contact", id: ada.id, asOf: nil, version: 0, as: admin)
        #expect(v0?["score"] == 7)
        let asOfUpdate = try await engine.get("Contact", id: ada.id, asOf: history[1].at, version: nil, as: admin)
        #expect(asOfUpdate?["score"] == 9)
        let audit = try await engine.audit(AuditQuery(actor: "admin-1", entities: ["Contact"]), as: admin)
        #expect(audit.map(\.kind) == [.restored, .deleted, .updated, .created])
    }

    @Test("Validation lists every failing field")
    func validation() async throws {
        let harness = try await SQLiteHarness.make()
        defer { Task { await harness.close() } }
        let errors: [FieldError]
        do {
            try await harness.engine.create(
                "Contact",
                [
                    "email": "not-an-email", "score": 101, "stage": "Nope", "tags": [1], "birthday": "2026-02-30",
                    "lastContactAt": "yesterday", "website": "ftp://x", "code": "abc", "bogus": 1, "version": 3,
                    "notes": [["type": "Paragraph"], ["type": "Video"]],
                ], as: admin)
            Issue.record("expected a validation error")
            return
        } catch {
            guard case .validationFailed(let found) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            errors = found
        }
        do {
            let fields = Set(errors.map(\.field))
            for field in [
                "name", "email", "score", "stage", "tags[0]", "birthday", "lastContactAt", "website", "code", "'bogus'", "version",
                "notes[0].text", "notes[1].type",
            ] {
                #expect(fields.contains(field), "\(field) in \(errors)")
            }
        }
    }

    @Test("References must name live records")
    func references() async throws {
        let harness = try await SQLiteHarness.make()
        defer { Task { await harness.close() } }
        await #expect(throws: ContentError.referenceNotFound(field: "company", id: "nope")) {
            try await harness.engine.create("Contact", ["name": "A", "company": "nope"], as: admin)
        }
        let acme = try await harness.engine.create("Company", ["name": "Acme"], as: admin)
        try await harness.engine.delete("Company", id: acme.id, as: admin)
        await #expect(throws: ContentError.referenceNotFound(field: "company", id: acme.id)) {
            try await harness.engine.create("Contact", ["name": "A", "company": .string(acme.id)], as: admin)
        }
    }

    @Test("Unique values: taken, freed by delete and update, re-checked on restore")
    func uniqueness() async throws {
        let harness = try await SQLiteHarness.make()
        defer { Task { await harness.close() } }
        let engine = harness.engine
        let first = try await engine.create("Contact", ["name": "A", "email": "a@x.io"], as: admin)
        await #expect(throws: ContentError.uniqueViolation(entity: "Contact", field: "email")) {
            try await engine.create("Contact", ["name": "B", "email": "a@x.io"], as: admin)
        }
        try await engine.update("Contact", id: first.id, ["email": "a2@x.io"], as: admin)
        let second = try await engine.create("Contact", ["name": "B", "email": "a@x.io"], as: admin)
        try await engine.delete("Contact", id: second.id, as: admin)
        let third = try await engine.create("Contact", ["name": "C", "email": "a@x.io"], as: admin)
        await #expect(throws: ContentError.uniqueViolation(entity: "Contact", field: "email")) {
            try await engine.restore("Contact", id: second.id, as: admin)
        }
        try await engine.update("Contact", id: third.id, ["email": nil], as: admin)
        try await engine.restore("Contact", id: second.id, as: admin)
    }

    @Test("Two racing creates with the same unique value: exactly one succeeds, the loser stores nothing")
    func racingCreates() async throws {
        let harness = try await SQLiteHarness.make()
        defer { Task { await harness.close() } }
        try await UniqueRace.run(harness.engine, store: harness.store)
    }
}

enum UniqueRace {
    static func run(_ engine: ContentEngine, store: any EventStore) async throws {
        for round in 0..<20 {
            let email = JSONValue.string("race\(round)@example.com")
            let outcomes = await withTaskGroup(of: Result<ContentRecord, ContentError>.self) { group in
                for index in 0..<2 {
                    group.addTask {
                        do {
                            return .success(try await engine.create("Contact", ["name": .string("R\(index)"), "email": email], as: admin))
                        } catch let error as ContentError {
                            return .failure(error)
                        } catch {
                            return .failure(.storageFailure("\(error)"))
                        }
                    }
                }
                var results: [Result<ContentRecord, ContentError>] = []
                for await result in group { results.append(result) }
                return results
            }
            let winners = outcomes.compactMap { try? $0.get() }
            #expect(winners.count == 1, "round \(round): \(outcomes)")
            for case .failure(let error) in outcomes {
                #expect(error == .uniqueViolation(entity: "Contact", field: "email"))
            }
            let page = try await engine.list(RecordQuery("Contact", filter: .field("email", .eq(email))), as: admin)
            #expect(page.records.count == 1)
        }
        let created = try await store.readAll(after: 0, limit: 100_000, filter: EventFilter(eventTypes: ["ContactCreated"]))
        #expect(created.count == 20, "no event of a loser is stored")
    }
}
