import AtomoSchema
import Foundation
import Synchronization
import Testing

@testable import AtomoGraphQL

/// A graphql-transport-ws connection follows its session: it closes when the session ends or the
/// token expires, re-checks on every message, and renews with a ping carrying a fresh token.
@Suite(.serialized) struct TransportWSSessionTests {
    typealias OutputLog = TransportWSTests.OutputLog

    /// What the test's authorizer answers, changed by the test as it goes.
    final class Sessions: Sendable {
        struct Entry: Sendable {
            var principal: Principal
            var validUntil: Date?
        }
        let tokens = Mutex<[String: Entry]>([:])
        /// Fires the `ended` closure of sessions authorized so far.
        let ends = AsyncStream<Void>.makeStream()

        func authorize(_ token: String?) -> GraphQLConnectionSession? {
            guard let token, let entry = tokens.withLock({ $0[token] }) else { return nil }
            let stream = ends.stream
            return GraphQLConnectionSession(
                principal: entry.principal, validUntil: entry.validUntil,
                ended: {
                    for await _ in stream { return "logout" }
                    return nil
                })
        }
    }

    static let admin = Principal(userID: "a", roles: ["Admin"])

    static func ready(
        _ sessions: Sessions, token: String = "t1", beforeInit: () -> Void = {}
    ) async throws -> (GraphQLTransportWSConnection, OutputLog, GraphQLHarness) {
        let harness = try await GraphQLHarness.started(CRMFixture.schema(contactAccess: nil))
        beforeInit()
        let connection = GraphQLTransportWSConnection(service: harness.service) { token in sessions.authorize(token) }
        await connection.start()
        let outputs = OutputLog(connection)
        await connection.receive(#"{"type":"connection_init","payload":{"token":"\#(token)"}}"#)
        #expect(TransportWSTests.json(await outputs.next()) == ["type": "connection_ack"])
        return (connection, outputs, harness)
    }

    @Test("the session's end closes the connection with 4403 at once, stopping its subscriptions")
    func endCloses() async throws {
        let sessions = Sessions()
        sessions.tokens.withLock { $0["t1"] = .init(principal: Self.admin) }
        let (connection, outputs, harness) = try await Self.ready(sessions)
        defer { Task { await harness.close() } }
        await connection.receive(
            #"{"id":"s","type":"subscribe","payload":{"query":"subscription { contactsChanged { kind } }"}}"#)
        try await Task.sleep(for: .milliseconds(100))
        let ended = ContinuousClock.now
        sessions.ends.continuation.yield()
        #expect(await outputs.next() == .close(code: 4403, reason: "Forbidden: session ended (logout)"))
        #expect(ContinuousClock.now - ended < .seconds(1))
        // Nothing is accepted after the close.
        await connection.receive(#"{"type":"ping"}"#)
        try await Task.sleep(for: .milliseconds(100))
        #expect(outputs.pending == 0)
    }

    @Test("expiry closes the connection with 4401 without waiting for a message")
    func expiryCloses() async throws {
        let sessions = Sessions()
        let expiry = Mutex(Date.distantFuture)
        let (_, outputs, harness) = try await Self.ready(sessions) {
            // Valid for a second from the connection_init, however long the harness took to start.
            let validUntil = Date().addingTimeInterval(1)
            expiry.withLock { $0 = validUntil }
            sessions.tokens.withLock { $0["t1"] = .init(principal: Self.admin, validUntil: validUntil) }
        }
        defer { Task { await harness.close() } }
        #expect(await outputs.next() == .close(code: 4401, reason: "Unauthorized: token expired"))
        let validUntil = expiry.withLock { $0 }
        #expect(Date() >= validUntil)
        // The bound that matters (within the clock-skew allowance) is checked end to end by the
        // Examples' SecurityTests; here, only that it closed on its own, soon after.
        #expect(Date().timeIntervalSince(validUntil) < 5)
    }

    @Test("every message re-checks the session: a token no longer accepted closes 4401 before the operation runs")
    func recheckOnMessage() async throws {
        let sessions = Sessions()
        sessions.tokens.withLock { $0["t1"] = .init(principal: Self.admin) }
        let (connection, outputs, harness) = try await Self.ready(sessions)
        defer { Task { await harness.close() } }
        sessions.tokens.withLock { $0["t1"] = nil }  // revoked on another node: no push reached us
        await connection.receive(#"{"id":"q","type":"subscribe","payload":{"query":"{ schemaFingerprint }"}}"#)
        #expect(await outputs.next() == .close(code: 4401, reason: "Unauthorized: session no longer valid"))
    }

    @Test("a demoted principal on re-check closes 4403: new roles never run under old subscriptions")
    func principalChangeCloses() async throws {
        let sessions = Sessions()
        sessions.tokens.withLock { $0["t1"] = .init(principal: Self.admin) }
        let (connection, outputs, harness) = try await Self.ready(sessions)
        defer { Task { await harness.close() } }
        sessions.tokens.withLock { $0["t1"] = .init(principal: Principal(userID: "a", roles: ["Viewer"])) }
        await connection.receive(#"{"type":"ping"}"#)
        #expect(await outputs.next() == .close(code: 4403, reason: "Forbidden: the session's principal changed"))
    }

    @Test("a ping with a fresh token for the same principal renews; one for other roles closes 4403")
    func renewal() async throws {
        let sessions = Sessions()
        let (connection, outputs, harness) = try await Self.ready(sessions) {
            sessions.tokens.withLock {
                $0["t1"] = .init(principal: Self.admin, validUntil: Date().addingTimeInterval(1.5))
                $0["t2"] = .init(principal: Self.admin, validUntil: Date().addingTimeInterval(60))
                $0["viewer"] = .init(
                    principal: Principal(userID: "a", roles: ["Viewer"]), validUntil: Date().addingTimeInterval(60))
            }
        }
        defer { Task { await harness.close() } }
        await connection.receive(#"{"type":"ping","payload":{"token":"t2"}}"#)
        #expect(TransportWSTests.json(await outputs.next()) == ["type": "pong"])
        // The first token's expiry has passed: the renewed connection still answers.
        try await Task.sleep(for: .seconds(2))
        await connection.receive(#"{"id":"q","type":"subscribe","payload":{"query":"{ schemaFingerprint }"}}"#)
        let next = TransportWSTests.json(await outputs.next())
        #expect(next?["type"] == "next")
        #expect(TransportWSTests.json(await outputs.next())?["type"] == "complete")
        await connection.receive(#"{"type":"ping","payload":{"token":"viewer"}}"#)
        #expect(await outputs.next() == .close(code: 4403, reason: "Forbidden: a renewal must be for the same user and roles"))
    }
}
