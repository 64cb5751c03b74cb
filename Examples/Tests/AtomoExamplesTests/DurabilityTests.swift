import Foundation
import Synchronization
import Testing

/// SIGKILL during a stream of writes, then a restart on the same data folder: every write the server
/// acknowledged is there.
@Suite("Durability", .serialized)
struct DurabilityTests {
    /// What the writers saw acknowledged.
    final class Acknowledged: Sendable {
        let emails = Mutex<[String]>([])
        let failures = Mutex<Int>(0)
        /// Answers that refused a write — GraphQL `errors`, or a registration other than 201 — while the
        /// server was meant to be healthy (before the signal): an error, not just a missing acknowledgement.
        let refusals = Mutex<[String]>([])
        /// Set just before the signal is sent.
        let signalled = Atomic<Bool>(false)
        /// Tells the writers to stop. Not task cancellation: cancelling a task that waits in
        /// `URLSession.data(for:)` can deadlock FoundationNetworking on Linux (seen as a hung test
        /// process, with every other request of the process stuck too, so that the server's
        /// graceful shutdown waited on connections nobody read).
        let stopped = Atomic<Bool>(false)
        var isStopped: Bool { stopped.load(ordering: .relaxed) }
        func stop() { stopped.store(true, ordering: .relaxed) }
    }

    @Test(
        "SIGKILL or SIGTERM mid-stream of GraphQL creates, restart: every acknowledged contact is there, readable",
        .serialized, arguments: [SIGKILL, SIGTERM])
    func stopDuringGraphQLWrites(signal: Int32) async throws {
        let data = try TestPaths.temporaryDirectory("kill-graphql")
        defer { try? FileManager.default.removeItem(at: data) }
        let environment = ["ATOMO_ADMIN_EMAIL": "admin@example.com", "ATOMO_ADMIN_PASSWORD": "Tr0ub4dor and 3 horses"]
        let server = try await ServerProcess("crm-server", dataDirectory: data, environment: environment)
        let admin = try await HTTPTestClient(baseURL: server.baseURL).login("admin@example.com", "Tr0ub4dor and 3 horses")
        let acknowledged = Acknowledged()
        _ = Task {
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        var index = 0
                        while !acknowledged.isStopped {
                            let name = "w\(writer)-\(index)"
                            index += 1
                            do {
                                let response = try await admin.graphQL(
                                    "mutation($n: String!) { createContact(input: {name: $n}) { id } }", ["n": name])
                                if ((response["data"] as? [String: Any])?["createContact"] as? [String: Any])?["id"] != nil {
                                    acknowledged.emails.withLock { $0.append(name) }
                                } else if !acknowledged.signalled.load(ordering: .relaxed) {
                                    acknowledged.refusals.withLock { $0.append("\(name): \(response)") }
                                }
                            } catch {
                                return  // the server is gone
                            }
                        }
                    }
                }
            }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while acknowledged.emails.withLock({ $0.count }) < 200 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        acknowledged.signalled.store(true, ordering: .relaxed)
        if signal == SIGKILL {
            await server.kill9()
        } else {
            // Graceful: the requests in flight finish, the projectors stop at a checkpoint, exit status 0.
            #expect(await server.stop() == 0)
        }
        acknowledged.stop()
        // Not awaited: URLSession on Linux can take its full timeout to fail requests whose server died.
        // Nothing can be acknowledged after the kill, so a snapshot a moment later is complete.
        try await Task.sleep(for: .milliseconds(500))
        let names = Set(acknowledged.emails.withLock { $0 })
        #expect(names.count >= 200)
        let refused = acknowledged.refusals.withLock { $0 }
        #expect(refused.isEmpty, "GraphQL errors before the signal: \(refused.count), first: \(refused.prefix(3))")

        let restarted = try await ServerProcess("crm-server", dataDirectory: data, environment: environment)
        let client = try await HTTPTestClient(baseURL: restarted.baseURL).login("admin@example.com", "Tr0ub4dor and 3 horses")
        var found: Set<String> = []
        var after: Any = NSNull()
        while true {
            let page = try await client.graphQL(
                "query($a: String) { contacts(first: 500, after: $a) { nodes { name } pageInfo { hasNextPage endCursor } } }",
                ["a": after])
            let contacts = (page["data"] as? [String: Any])?["contacts"] as? [String: Any]
            for node in contacts?["nodes"] as? [[String: Any]] ?? [] { if let name = node["name"] as? String { found.insert(name) } }
            let info = contacts?["pageInfo"] as? [String: Any]
            guard info?["hasNextPage"] as? Bool == true, let cursor = info?["endCursor"] as? String else { break }
            after = cursor
        }
        let lost = names.subtracting(found)
        #expect(lost.isEmpty, "acknowledged but lost after SIGKILL: \(lost.sorted().prefix(20))")
        #expect(await restarted.stop() == 0)
    }

    @Test("SIGKILL mid-stream, restart: every acknowledged user registration is there")
    func killDuringWrites() async throws {
        let data = try TestPaths.temporaryDirectory("kill")
        defer { try? FileManager.default.removeItem(at: data) }
        let environment = ["ATOMO_ADMIN_EMAIL": "admin@example.com", "ATOMO_ADMIN_PASSWORD": "Tr0ub4dor and 3 horses"]
        let server = try await ServerProcess("crm-server", dataDirectory: data, environment: environment)
        let admin = try await HTTPTestClient(baseURL: server.baseURL).login("admin@example.com", "Tr0ub4dor and 3 horses")
        let acknowledged = Acknowledged()
        let password = "correct horse battery"

        // Four writers in a loop; the server is killed while they run.
        _ = Task {
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        var index = 0
                        while !acknowledged.isStopped {
                            let email = "w\(writer)-\(index)@example.com"
                            index += 1
                            do {
                                let reply = try await admin.request(
                                    "POST", "/auth/users", json: ["email": email, "password": password, "roles": ["Sales"]])
                                if reply.status == 201 {
                                    acknowledged.emails.withLock { $0.append(email) }
                                } else if !acknowledged.signalled.load(ordering: .relaxed) {
                                    acknowledged.refusals.withLock { $0.append("\(email): \(reply.status) \(reply.text)") }
                                }
                            } catch {
                                acknowledged.failures.withLock { $0 += 1 }
                                return  // the server is gone
                            }
                        }
                    }
                }
            }
        }
        // Kill once a good number of writes were acknowledged, mid-stream.
        let deadline = ContinuousClock.now + .seconds(60)
        while acknowledged.emails.withLock({ $0.count }) < 24 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        acknowledged.signalled.store(true, ordering: .relaxed)
        await server.kill9()
        acknowledged.stop()
        try await Task.sleep(for: .milliseconds(500))
        let emails = acknowledged.emails.withLock { $0 }
        #expect(emails.count >= 24)
        let refused = acknowledged.refusals.withLock { $0 }
        #expect(refused.isEmpty, "registrations refused before the kill: \(refused.count), first: \(refused.prefix(3))")

        let restarted = try await ServerProcess("crm-server", dataDirectory: data, environment: environment)
        let client = HTTPTestClient(baseURL: restarted.baseURL)
        var missing: [String] = []
        for email in emails {
            let reply = try await client.request("POST", "/auth/login", json: ["email": email, "password": password])
            if reply.status != 200 { missing.append("\(email): \(reply.status)") }
        }
        #expect(missing.isEmpty, "acknowledged but lost after SIGKILL: \(missing)")
        #expect(await restarted.stop() == 0)
    }
}
