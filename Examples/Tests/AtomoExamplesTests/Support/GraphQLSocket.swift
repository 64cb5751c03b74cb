import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOWebSocket
import Synchronization

/// A graphql-transport-ws client over a real websocket to a running server: it sends what the test
/// asks, keeps every message the server sends, and notes when and how the server closed.
final class GraphQLSocket: Sendable {
    /// How the server closed the socket, and when the close arrived.
    struct Closed: Sendable {
        let code: Int?
        let reason: String?
        let at: ContinuousClock.Instant
    }

    /// What the connection's task records.
    private final class State: Sendable {
        let received = Mutex<[String]>([])
        /// Set once the connection is over (the close frame's code when the server sent one).
        let closed = Mutex<Closed?>(nil)
        let inboundEnded = Mutex<ContinuousClock.Instant?>(nil)
    }

    private let state = State()
    private let outbox: AsyncStream<String>.Continuation
    private let task: Task<Void, Never>

    /// Connects to `baseURL`'s `/graphql` (ws://) with the graphql-transport-ws subprotocol.
    init(baseURL: String) {
        let url = baseURL.replacingOccurrences(of: "http://", with: "ws://") + "/graphql"
        let (stream, continuation) = AsyncStream<String>.makeStream()
        outbox = continuation
        let state = self.state
        task = Task {
            var logger = Logger(label: "test.websocket")
            logger.logLevel = .critical
            var configuration = WebSocketClientConfiguration()
            configuration.additionalHeaders[.secWebSocketProtocol] = "graphql-transport-ws"
            configuration.maxFrameSize = 1 << 20
            let frame = try? await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) {
                inbound, outbound, _ in
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await text in stream { try? await outbound.write(.text(text)) }
                    }
                    do {
                        for try await message in inbound.messages(maxSize: 1 << 22) {
                            if case .text(let text) = message { state.received.withLock { $0.append(text) } }
                        }
                    } catch {}
                    state.inboundEnded.withLock { $0 = .now }
                    group.cancelAll()
                }
            }
            let at = state.inboundEnded.withLock { $0 } ?? .now
            state.closed.withLock { $0 = Closed(code: frame.map { Int(UInt16(webSocketErrorCode: $0.closeCode)) }, reason: frame?.reason, at: at) }
        }
    }

    deinit {
        outbox.finish()
        task.cancel()
    }

    /// Sends a message (a JSON object).
    func send(_ message: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: message) else { return }
        outbox.yield(String(decoding: data, as: UTF8.self))
    }

    /// The messages received so far, decoded.
    var messages: [[String: Any]] {
        state.received.withLock { $0 }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// How the server closed, if it has.
    var closure: Closed? { state.closed.withLock { $0 } }

    /// Waits (up to `timeout`) for a message satisfying `matches`, returning it.
    func waitFor(
        timeout: Duration = .seconds(15), _ matches: ([String: Any]) -> Bool
    ) async -> [String: Any]? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let found = messages.first(where: matches) { return found }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// Waits (up to `timeout`) for the connection to end; nil if it is still open.
    func waitForClose(timeout: Duration = .seconds(15)) async -> Closed? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let closure { return closure }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return closure
    }

    /// Sends connection_init with `token` and waits for the ack.
    func initialise(token: String?) async -> Bool {
        var payload: [String: Any] = [:]
        if let token { payload["token"] = token }
        send(["type": "connection_init", "payload": payload])
        return await waitFor { $0["type"] as? String == "connection_ack" } != nil
    }
}
