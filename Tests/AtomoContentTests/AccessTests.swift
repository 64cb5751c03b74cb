import AtomoContent
import AtomoSchema
import Testing

/// A policy for the tests: Viewers read only `name` and `stage`, and may not create; nobody reads
/// records whose stage is `Lost` unless Admin.
struct ViewerPolicy: AccessPolicy {
    func decide(_ request: AccessRequest) -> AccessDecision {
        let isAdmin = request.principal.roles.contains("Admin")
        if request.operation == .create && !isAdmin { return .deny(reason: "only admins create") }
        if request.operation == .read, !isAdmin, request.record?["stage"] == "Lost" {
            return .deny(reason: "lost deals are private")
        }
        return .allow
    }

    func readableFields(of entity: Entity, record: JSONValue?, for principal: Principal) -> Set<String> {
        if principal.roles.contains("Admin") { return Set(entity.fields.map(\.name)).union(Entity.systemFieldNames) }
        return Set(["name", "stage"]).union(Entity.systemFieldNames)
    }

    func decide(_ capability: PlatformCapability, for principal: Principal) -> AccessDecision {
        principal.roles.contains("Admin") ? .allow : .deny(reason: "only admins")
    }
}

@Suite("Access")
struct AccessTests {
    @Test("Unreadable fields never leave the engine; filters and sorts on them are forbidden; commands ask the policy")
    func policy() async throws {
        let harness = try await SQLiteHarness.make(policy: ViewerPolicy())
        defer { Task { await harness.close() } }
        let engine = harness.engine
        let viewer = Principal(userID: "v1", roles: ["Viewer"])
        let secret = try await engine.create("Contact", ["name": "Ada", "email": "ada@x.io", "score": 9], as: admin)
        let lost = try await engine.create("Contact", ["name": "Bob", "stage": "Lost"], as: admin)
        await #expect(throws: ContentError.forbidden("only admins create")) {
            try await engine.create("Contact", ["name": "Eve"], as: viewer)
        }
        let seen = try #require(try await engine.get("Contact", id: secret.id, as: viewer))
        #expect(Set(seen.fields.keys) == ["name", "stage"])
        #expect(try await engine.get("Contact", id: lost.id, as: viewer) == nil)
        let page = try await engine.list(RecordQuery("Contact"), as: viewer)
        #expect(page.records.map(\.id) == [secret.id])
        // A reference the viewer may not read includes nothing, though the record points somewhere.
        let acme = try await engine.create("Company", ["name": "Acme"], as: admin)
        let employee = try await engine.create("Contact", ["name": "Cy", "company": .string(acme.id)], as: admin)
        let viewed = try await engine.list(
            RecordQuery("Contact", filter: .field("id", .eq(.string(employee.id))), includeReferences: ["company"]),
            as: viewer)
        #expect(viewed.records.map(\.id) == [employee.id] && viewed.references == ["company": [:]])
        let administered = try await engine.list(
            RecordQuery("Contact", filter: .field("id", .eq(.string(employee.id))), includeReferences: ["company"]),
            as: admin)
        #expect(administered.references["company"]?.keys.sorted() == [acme.id])
        #expect(page.records.allSatisfy { $0["email"] == nil && $0["score"] == nil })
        await #expect(throws: ContentError.forbidden("Contact.email cannot be read, so it cannot be used to filter")) {
            try await engine.list(RecordQuery("Contact", filter: .field("email", .startsWith("ada"))), as: viewer)
        }
        await #expect(throws: ContentError.forbidden("Contact.score cannot be read, so it cannot be used to sort")) {
            try await engine.list(RecordQuery("Contact", orderBy: [SortKey("score")]), as: viewer)
        }
        let stats = try await engine.aggregate("Contact", as: viewer)
        #expect(stats.sum["score"] == nil && stats.max["email"] == nil)
        let history = try await engine.history("Contact", id: secret.id, as: viewer)
        #expect(history.first?.fields.keys.sorted() == ["name", "stage"])
        let change = try #require(try await engine.history("Contact", id: secret.id, as: admin).first)
        #expect(engine.visibleChange(change, for: viewer)?.fields["email"] == nil)
        #expect(engine.visibleChange(change, for: admin)?.fields["email"] == "ada@x.io")
    }

    @Test("An update of fields a reader may not read does not exist for it: not in history, audit or the feed")
    func hiddenChangesAreInvisible() async throws {
        let harness = try await SQLiteHarness.make(policy: ViewerPolicy())
        defer { Task { await harness.close() } }
        let engine = harness.engine
        let viewer = Principal(userID: "v1", roles: ["Viewer"])
        let record = try await engine.create("Contact", ["name": "Ada", "email": "ada@x.io"], as: admin)
        try await engine.update("Contact", id: record.id, ["email": "ada@y.io"], as: admin)
        try await engine.update("Contact", id: record.id, ["name": "Ada L."], as: admin)
        let seen = try await engine.history("Contact", id: record.id, as: viewer)
        #expect(seen.map(\.kind) == [.created, .updated])
        #expect(seen.allSatisfy { !$0.fields.isEmpty })
        #expect(try await engine.history("Contact", id: record.id, as: admin).count == 3)
        let all = try await engine.history("Contact", id: record.id, as: admin)
        #expect(engine.visibleChange(all[1], for: viewer) == nil)
        #expect(engine.visibleChange(all[2], for: viewer)?.fields.keys.sorted() == ["name"])
        let audit = try await engine.audit(AuditQuery(entities: ["Contact"], recordID: record.id), as: viewer)
        #expect(audit.count == 2 && audit.allSatisfy { !$0.fields.isEmpty })
        #expect(try await engine.audit(AuditQuery(entities: ["Contact"], recordID: record.id), as: admin).count == 3)
    }

    @Test("A filter of too many conditions is a clear invalid-filter error, not a storage failure")
    func oversizedFilters() async throws {
        let harness = try await SQLiteHarness.make()
        defer { Task { await harness.close() } }
        let terms = (0..<999).map { RecordFilter.field("name", .eq(.string("n\($0)"))) }
        await #expect(throws: ContentError.invalidFilter("a filter has at most 256 conditions on fields")) {
            try await harness.engine.list(RecordQuery("Contact", filter: .or(terms)), as: admin)
        }
        var nested = RecordFilter.field("name", .eq("x"))
        for _ in 0..<40 { nested = .not(nested) }
        await #expect(throws: ContentError.invalidFilter("a filter nests and/or/not at most 32 levels deep")) {
            try await harness.engine.list(RecordQuery("Contact", filter: nested), as: admin)
        }
        // Within the limits, a large filter runs.
        let page = try await harness.engine.list(RecordQuery("Contact", filter: .or(Array(terms.prefix(256)))), as: admin)
        #expect(page.records.isEmpty)
    }

    @Test("The change feed delivers content changes in order")
    func changeFeed() async throws {
        let harness = try await SQLiteHarness.make()
        defer { Task { await harness.close() } }
        let created = try await harness.engine.create("Company", ["name": "Acme"], as: admin)
        try await harness.engine.update("Company", id: created.id, ["industry": "Anvils"], as: admin)
        var kinds: [RecordChange.Kind] = []
        for try await change in harness.engine.changes(after: nil) {
            kinds.append(change.kind)
            if kinds.count == 2 { break }
        }
        #expect(kinds == [.created, .updated])
    }
}
