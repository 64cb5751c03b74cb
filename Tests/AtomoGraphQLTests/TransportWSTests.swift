import AtomoContent
import AtomoEvents
import AtomoSchema
import Foundation
import Synchronization
import Testing

@testable import AtomoGraphQL

@Suite(.serialized) struct TransportWSTests {
    typealias Output = GraphQLTransportWSConnection.Output

    static func connection(
        _ service: GraphQLService, timeout: Duration = .seconds(3)
    ) async -> GraphQLTransportWSConnection {
        let connection = GraphQLTransportWSConnection(service: service, connectionInitTimeout: timeout) { token in
            switch token {
            case "admin": Principal(userID: "a", roles: ["Admin"])
            case nil: .anonymous
            default: nil
            }
        }
        await connection.start()
        return connection
    }

    /// Reads a connection's outputs in the background; `next()` waits up to 15 s for the next one (a
    /// budget a loaded 2-core debug build meets; outputs come in milliseconds as a rule).
    final class OutputLog: Sendable {
        final class Buffer: Sendable {
            let items = Mutex<[Output]>([])
        }

        private let outputs = Buffer()
        private let cursor = Mutex(0)
        private let task: Task<Void, Never>

        init(_ connection: GraphQLTransportWSConnection) {
            let buffer = outputs
            task = Task {
                for await output in connection.outputs { buffer.items.withLock { $0.append(output) } }
            }
        }

        deinit { task.cancel() }

        /// Outputs received and not yet taken with ``next()``.
        var pending: Int {
            let index = cursor.withLock { $0 }
            return outputs.items.withLock { $0.count } - index
        }

        func next() async -> Output? {
            let deadline = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < deadline {
                let index = cursor.withLock { $0 }
                if let output = outputs.items.withLock({ index < $0.count ? $0[index] : nil }) {
                    cursor.withLock { $0 += 1 }
                    return output
                }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return nil
        }
    }

    static func json(_ output: Output?) -> JSONValue? {
        guard case .text(let text)? = output else { return nil }
        return try? GraphQLHarness.json(Array(text.utf8))
    }

    @Test func closeCodesForProtocolViolations() async throws {
        let harness = try await GraphQLHarness.unstarted()
        defer { harness.store.close() }

        let slow = await Self.connection(harness.service, timeout: .milliseconds(50))
        var outputs = OutputLog(slow)
        #expect(await outputs.next() == .close(code: 4408, reason: "Connection initialisation timeout"))

        let refused = await Self.connection(harness.service)
        await refused.receive(#"{"type":"connection_init","payload":{"token":"stolen"}}"#)
        outputs = OutputLog(refused)
        #expect(await outputs.next() == .close(code: 4403, reason: "Forbidden"))

        let early = await Self.connection(harness.service)
        await early.receive(#"{"id":"1","type":"subscribe","payload":{"query":"{ schemaFingerprint }"}}"#)
        outputs = OutputLog(early)
        #expect(await outputs.next() == .close(code: 4401, reason: "Unauthorized"))

        let twice = await Self.connection(harness.service)
        await twice.receive(#"{"type":"connection_init","payload":{"authorization":"Bearer admin"}}"#)
        await twice.receive(#"{"type":"connection_init"}"#)
        outputs = OutputLog(twice)
        #expect(Self.json(await outputs.next()) == ["type": "connection_ack"])
        #expect(await outputs.next() == .close(code: 4429, reason: "Too many initialisation requests"))

        for bad in ["not json", #"{"type":"hello"}"#, #"{"type":"subscribe","payload":{"query":"{ a }"}}"#, "[1]"] {
            let connection = await Self.connection(harness.service)
            await connection.receive(#"{"type":"connection_init"}"#)
            await connection.receive(bad)
            outputs = OutputLog(connection)
            #expect(Self.json(await outputs.next()) == ["type": "connection_ack"])
            #expect(await outputs.next() == .close(code: 4400, reason: "Invalid message"), "\(bad)")
        }
    }

    @Test func pingQueriesErrorsAndDuplicateIDs() async throws {
        let harness = try await GraphQLHarness.started(CRMFixture.schema(contactAccess: nil))
        defer { Task { await harness.close() } }
        let connection = await Self.connection(harness.service)
        let outputs = OutputLog(connection)
        await connection.receive(#"{"type":"connection_init","payload":{"token":"admin"}}"#)
        #expect(Self.json(await outputs.next()) == ["type": "connection_ack"])
        await connection.receive(#"{"type":"ping"}"#)
        #expect(Self.json(await outputs.next()) == ["type": "pong"])

        // A query: one next, then complete.
        await connection.receive(#"{"id":"q","type":"subscribe","payload":{"query":"{ contacts { totalCount } }"}}"#)
        #expect(
            Self.json(await outputs.next()) == [
                "id": "q", "type": "next", "payload": ["data": ["contacts": ["totalCount": 0]]],
            ])
        #expect(Self.json(await outputs.next()) == ["id": "q", "type": "complete"])

        // An invalid document: an error message with the errors.
        await connection.receive(#"{"id":"bad","type":"subscribe","payload":{"query":"subscription { nope }"}}"#)
        let error = Self.json(await outputs.next())
        #expect(error?["type"] == "error")
        #expect(error?["payload"]?.arrayValue?.first?["extensions"]?["code"] == "GRAPHQL_VALIDATION_FAILED")

        // A live subscription delivers a change; the client completes it.
        await connection.receive(
            #"{"id":"s","type":"subscribe","payload":{"query":"subscription { contactsChanged { kind record { name } } }"}}"#
        )
        try? await Task.sleep(for: .milliseconds(100))
        _ = try await harness.engine.create("Contact", ["name": "Ada"], as: .system)
        #expect(
            Self.json(await outputs.next())
                == [
                    "id": "s", "type": "next",
                    "payload": ["data": ["contactsChanged": ["kind": "CREATED", "record": ["name": "Ada"]]]],
                ])
        await connection.receive(
            #"{"id":"s","type":"subscribe","payload":{"query":"subscription { contactsChanged { kind } }"}}"#)
        #expect(await outputs.next() == .close(code: 4409, reason: "Subscriber for s already exists"))
    }

    @Test func completeStopsDelivery() async throws {
        let harness = try await GraphQLHarness.started(CRMFixture.schema(contactAccess: nil))
        defer { Task { await harness.close() } }
        let connection = await Self.connection(harness.service)
        let outputs = OutputLog(connection)
        await connection.receive(#"{"type":"connection_init","payload":{"token":"admin"}}"#)
        #expect(Self.json(await outputs.next()) == ["type": "connection_ack"])
        await connection.receive(
            #"{"id":"s","type":"subscribe","payload":{"query":"subscription { contactsChanged { kind } }"}}"#)
        try? await Task.sleep(for: .milliseconds(100))
        await connection.receive(#"{"id":"s","type":"complete"}"#)
        _ = try await harness.engine.create("Contact", ["name": "Ada"], as: .system)
        await connection.receive(#"{"type":"ping"}"#)
        #expect(Self.json(await outputs.next()) == ["type": "pong"])
    }
}
