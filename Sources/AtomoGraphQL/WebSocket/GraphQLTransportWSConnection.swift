public import AtomoSchema
import Foundation

/// One graphql-transport-ws connection (the protocol of the `graphql-ws` library), transport-neutral:
/// the host feeds each text frame to ``receive(_:)`` and sends everything ``outputs`` yields — text
/// frames, and at most one close with its code.
///
/// - `connection_init` must arrive within `connectionInitTimeout` (else close 4408); its payload's
///   `token` (or `authorization: "Bearer …"`) goes to the authenticator, which answers with a
///   principal (→ `connection_ack`) or nil (→ close 4403). A second `connection_init` closes 4429.
/// - `subscribe` before the ack closes 4401; a subscribe whose id is already active closes 4409.
///   Each result is a `next`, a request that cannot start an `error`, the end a `complete`.
///   A query or mutation gets one `next` and a `complete`.
/// - `complete` from the client stops that subscription; `ping` gets `pong`.
/// - Anything malformed (not JSON, unknown type, missing id) closes 4400.
///
/// ```swift
/// let connection = GraphQLTransportWSConnection(service: service) { token in await sessions.principal(token) }
/// await connection.start()
/// Task { for await output in connection.outputs { send(output) } }
/// for await frame in socket.textFrames { await connection.receive(frame) }
/// await connection.transportClosed()
/// ```
public actor GraphQLTransportWSConnection {
    /// The WebSocket subprotocol name.
    public static let subprotocol = "graphql-transport-ws"

    /// What to send to the client.
    public enum Output: Sendable, Hashable {
        /// A text frame.
        case text(String)
        /// Close the socket with this code and reason; nothing follows.
        case close(code: Int, reason: String)
    }

    /// The frames to send, in order; finishes after a close.
    public nonisolated let outputs: AsyncStream<Output>
    private let continuation: AsyncStream<Output>.Continuation
    private let service: GraphQLService
    private let authenticate: @Sendable (String?) async -> Principal?
    private let connectionInitTimeout: Duration

    private enum State {
        case awaitingInit
        case authenticating
        case ready(Principal)
        case closed
    }

    private var state = State.awaitingInit
    private var initReceived = false
    private var subscriptions: [String: Task<Void, Never>] = [:]
    private var timeoutTask: Task<Void, Never>?

    /// Creates a connection; `authenticate` turns connection_init's token (nil when there is none)
    /// into a principal, or nil to refuse the connection.
    public init(
        service: GraphQLService, connectionInitTimeout: Duration = .seconds(3),
        authenticate: @escaping @Sendable (String?) async -> Principal?
    ) {
        self.service = service
        self.authenticate = authenticate
        self.connectionInitTimeout = connectionInitTimeout
        (outputs, continuation) = AsyncStream<Output>.makeStream()
    }

    /// Starts the connection_init timer. Call once the socket is open.
    public func start() {
        let timeout = connectionInitTimeout
        timeoutTask = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            await self?.initTimedOut()
        }
    }

    private func initTimedOut() {
        if case .awaitingInit = state { close(4408, "Connection initialisation timeout") }
    }

    /// The transport closed: every subscription stops.
    public func transportClosed() {
        if case .closed = state { return }
        state = .closed
        stopAll()
        continuation.finish()
    }

    /// Handles one text frame from the client.
    public func receive(_ text: String) async {
        if case .closed = state { return }
        guard text.utf8.count <= service.limits.maxRequestBytes,
            let value = try? GraphQLHTTPHandler.decodeJSON(Array(text.utf8), limits: service.limits),
            case .object(let message) = value, case .string(let type)? = message["type"]
        else {
            close(4400, "Invalid message")
            return
        }
        switch type {
        case "connection_init":
            guard !initReceived else {
                close(4429, "Too many initialisation requests")
                return
            }
            initReceived = true
            state = .authenticating
            timeoutTask?.cancel()
            let token = Self.token(in: message["payload"])
            guard let principal = await authenticate(token) else {
                close(4403, "Forbidden")
                return
            }
            guard case .authenticating = state else { return }
            state = .ready(principal)
            send(["type": "connection_ack"])
        case "ping":
            send(["type": "pong"])
        case "pong":
            break
        case "subscribe":
            guard case .string(let id)? = message["id"], !id.isEmpty, case .object(let payload)? = message["payload"],
                case .string(let query)? = payload["query"]
            else {
                close(4400, "Invalid message")
                return
            }
            guard case .ready(let principal) = state else {
                close(4401, "Unauthorized")
                return
            }
            guard subscriptions[id] == nil else {
                close(4409, "Subscriber for \(id) already exists")
                return
            }
            var variables: [String: JSONValue] = [:]
            if case .object(let given)? = payload["variables"] { variables = given }
            let request = GraphQLRequest(
                query: query, operationName: payload["operationName"]?.stringValue, variables: variables)
            let service = self.service
            subscriptions[id] = Task { [weak self] in
                let start = await service.subscribe(request, as: principal)
                guard let self else { return }
                switch start {
                case .rejected(let response):
                    await self.sendError(id: id, response: response)
                case .single(let response):
                    await self.sendNext(id: id, body: response.body)
                    await self.sendComplete(id: id)
                case .stream(let stream):
                    for await response in stream {
                        if Task.isCancelled { break }
                        await self.sendNext(id: id, body: response.body)
                    }
                    if !Task.isCancelled { await self.sendComplete(id: id) }
                }
            }
        case "complete":
            guard case .string(let id)? = message["id"] else {
                close(4400, "Invalid message")
                return
            }
            subscriptions.removeValue(forKey: id)?.cancel()
        default:
            close(4400, "Invalid message")
        }
    }

    /// The token in a connection_init payload: `token`, or `authorization` / `Authorization` without `Bearer `.
    static func token(in payload: JSONValue?) -> String? {
        if let token = payload?["token"]?.stringValue { return token }
        guard let header = payload?["authorization"]?.stringValue ?? payload?["Authorization"]?.stringValue else {
            return nil
        }
        return header.lowercased().hasPrefix("bearer ") ? String(header.dropFirst(7)) : header
    }

    private func sendNext(id: String, body: [UInt8]) {
        guard subscriptions[id] != nil, !isClosed else { return }
        var writer = JSONWriter(capacity: body.count + 64)
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("type")
        writer.string("next")
        writer.key("payload")
        writer.raw(body)
        writer.endObject()
        continuation.yield(.text(String(decoding: writer.bytes, as: UTF8.self)))
    }

    private func sendError(id: String, response: GraphQLResponse) {
        guard subscriptions.removeValue(forKey: id) != nil, !isClosed else { return }
        let errors =
            (try? GraphQLHTTPHandler.decodeJSON(response.body, limits: service.limits))?["errors"] ?? .array([])
        send(["id": .string(id), "type": "error", "payload": errors])
    }

    private func sendComplete(id: String) {
        guard subscriptions.removeValue(forKey: id) != nil, !isClosed else { return }
        send(["id": .string(id), "type": "complete"])
    }

    private var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    private func send(_ message: JSONValue) {
        var writer = JSONWriter(capacity: 128)
        writer.json(message)
        continuation.yield(.text(String(decoding: writer.bytes, as: UTF8.self)))
    }

    private func close(_ code: Int, _ reason: String) {
        if case .closed = state { return }
        state = .closed
        timeoutTask?.cancel()
        stopAll()
        continuation.yield(.close(code: code, reason: reason))
        continuation.finish()
    }

    private func stopAll() {
        for task in subscriptions.values { task.cancel() }
        subscriptions.removeAll()
    }
}
