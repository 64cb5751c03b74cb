import AtomoAuth
import AtomoContent
import AtomoSchema
import Foundation
import Synchronization
import Testing

@testable import AtomoGraphQL

/// Collects a subscription's results in the background.
final class Collected: Sendable {
    private let results = Mutex<[JSONValue]>([])
    var values: [JSONValue] { results.withLock { $0 } }
    func append(_ value: JSONValue) { results.withLock { $0.append(value) } }
}

@Suite(.serialized) struct SubscriptionTests {
    /// Contacts are readable by Admins, and by others only when they own them.
    static func schema() -> Schema {
        var schema = CRMFixture.schema(
            contactAccess: EntityAccess(
                read: .or(
                    .equal(.path(["role"]), .literal("Admin")),
                    .equal(.path(["record", "owner"]), .path(["user", "id"])))))
        schema.entities[1].fields.append(Field("owner", .string))
        return schema
    }

    static func collect(_ start: GraphQLSubscriptionStart) throws -> (Task<Void, Never>, Collected) {
        guard case .stream(let stream) = start else { throw CancellationError() }
        let collected = Collected()
        let task = Task {
            for await response in stream {
                if let value = try? GraphQLHarness.json(response.body) { collected.append(value) }
            }
        }
        return (task, collected)
    }

    /// Waits until `condition` holds, for at most 15 s: a budget a loaded 2-core debug build meets (a
    /// change reaches subscribers in milliseconds as a rule); the expectations after it fail when the
    /// change never arrives.
    static func waitUntil(_ condition: () -> Bool) async {
        let deadline = ContinuousClock.now + .seconds(15)
        while !condition() && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
    }

    @Test func eachChangeReachesAuthorizedSubscribersOnceAndNobodyElse() async throws {
        let schema = Self.schema()
        let harness = try await GraphQLHarness.started(schema, policy: PolicyEngine(schema: schema))
        defer { Task { await harness.close() } }
        let admin = Principal(userID: "admin", roles: ["Admin"])
        let alice = Principal(userID: "alice", roles: ["Sales"])
        let bob = Principal(userID: "bob", roles: ["Sales"])
        let query = GraphQLRequest(
            query: "subscription { contactsChanged { kind id version changedFields record { name owner } } }")
        var subscribers: [(String, Task<Void, Never>, Collected)] = []
        for (name, principal) in [("admin", admin), ("alice", alice), ("bob", bob)] {
            let (task, collected) = try Self.collect(await harness.service.subscribe(query, as: principal))
            subscribers.append((name, task, collected))
        }
        let onlyAda = try Self.collect(
            await harness.service.subscribe(
                GraphQLRequest(
                    query: "subscription { contactsChanged(where: { name: { startsWith: \"Ada\" } }) { kind id } }"),
                as: admin))

        let ada = try await harness.engine.create("Contact", ["name": "Ada", "owner": "alice"], as: .system)
        let bo = try await harness.engine.create("Contact", ["name": "Bo", "owner": "bob"], as: .system)
        _ = try await harness.engine.update("Contact", id: ada.id, ["name": "Ada L"], as: .system)
        _ = try await harness.engine.create("Company", ["name": "Acme"], as: .system)
        _ = try await harness.engine.delete("Contact", id: bo.id, as: .system)

        let admins = subscribers[0].2
        await Self.waitUntil { admins.values.count >= 4 && onlyAda.1.values.count >= 2 }
        try? await Task.sleep(for: .milliseconds(200))  // anything extra would arrive by now
        for (_, task, _) in subscribers { task.cancel() }
        onlyAda.0.cancel()

        func events(_ collected: Collected) -> [String] {
            collected.values.map { value in
                let event = value["data"]?["contactsChanged"]
                return "\(event?["kind"]?.stringValue ?? "?") \(event?["id"]?.stringValue == ada.id ? "ada" : "bo")"
            }
        }
        #expect(events(admins) == ["CREATED ada", "CREATED bo", "UPDATED ada", "DELETED bo"])
        #expect(events(subscribers[1].2) == ["CREATED ada", "UPDATED ada"])
        #expect(events(subscribers[2].2) == ["CREATED bo"])
        #expect(events(onlyAda.1) == ["CREATED ada", "UPDATED ada"])
        try #require(admins.values.count == 4)
        let update = admins.values[2]["data"]?["contactsChanged"]
        #expect(update?["changedFields"] == ["name"])
        #expect(update?["record"] == ["name": "Ada L", "owner": "alice"])
        #expect(admins.values[3]["data"]?["contactsChanged"]?["record"] == .null)
    }

    @Test func oneRecordSubscriptionFollowsOnlyThatRecord() async throws {
        let harness = try await GraphQLHarness.started(CRMFixture.schema(contactAccess: nil))
        defer { Task { await harness.close() } }
        let ada = try await harness.engine.create("Contact", ["name": "Ada"], as: .system)
        let other = try await harness.engine.create("Contact", ["name": "Bo"], as: .system)
        let (task, collected) = try Self.collect(
            await harness.service.subscribe(
                GraphQLRequest(
                    query: "subscription($id: ID!) { contactChanged(id: $id) { kind version record { name } } }",
                    variables: ["id": .string(ada.id)]),
                as: .system))
        _ = try await harness.engine.update("Contact", id: other.id, ["name": "Bob"], as: .system)
        _ = try await harness.engine.update("Contact", id: ada.id, ["name": "Ada L"], as: .system)
        await Self.waitUntil { collected.values.count >= 1 }
        try? await Task.sleep(for: .milliseconds(150))
        task.cancel()
        #expect(
            collected.values.map { $0["data"]?["contactChanged"] } == [
                ["kind": "UPDATED", "version": 1, "record": ["name": "Ada L"]]
            ])
    }
}
