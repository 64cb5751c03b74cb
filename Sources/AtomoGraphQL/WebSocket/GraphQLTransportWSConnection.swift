public import AtomoSchema
import Foundation

/// One graphql-transport-ws connection (the protocol of the `graphql-ws` library), transport-neutral:
/// the host feeds each text frame to ``receive(_:)`` and sends everything ``outputs`` yields — text
/// frames, and at most one close with its code.
///
/// - `connection_init` must arrive within `connectionInitTimeout` (else close 4408); its payload's
///   `token` (or `authorization: "Bearer …"`) goes to the authorizer, which answers with a
///   ``GraphQLConnectionSession`` (→ `connection_ack`) or nil (→ close 4403). A second
///   `connection_init` closes 4429.
/// - The session is re-checked on every message (the token goes to the authorizer again): one that is
///   no longer accepted closes 4401, one for other roles closes 4403. The connection also closes on
///   its own, without waiting for a message, when the session ends (``GraphQLConnectionSession/ended``:
///   logout, revocation, a disabled user, a role change → 4403) and when the token expires
///   (``GraphQLConnectionSession/validUntil`` → 4401). Subscriptions stop with the connection.
/// - A client renews before expiry with a `ping` whose payload carries a fresh token
///   (`{"type":"ping","payload":{"token":"…"}}`): the same user with the same roles continues under
///   the new token (→ `pong`); anything else closes 4403.
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
    private let authorize: @Sendable (String?) async -> GraphQLConnectionSession?
    private let connectionInitTimeout: Duration

    private enum State {
        case awaitingInit
        case authenticating
        case ready(GraphQLConnectionSession)
        case closed
    }

    private var state = State.awaitingInit
    private var initReceived = false
    /// The token the session was authorized with (nil for an anonymous connection).
    private var token: String?
    private var subscriptions: [String: Task<Void, Never>] = [:]
    private var timeoutTask: Task<Void, Never>?
    /// Closes the connection at the session's end or expiry.
    private var sessionWatch: Task<Void, Never>?

    /// Creates a connection; `authorize` turns connection_init's token (nil when there is none) into
    /// a session, or nil to refuse the connection. It is called again with the same token on every
    /// message, and with a renewal ping's token.
    public init(
        service: GraphQLService, connectionInitTimeout: Duration = .seconds(3),
        authorize: @escaping @Sendable (String?) async -> GraphQLConnectionSession?
    ) {
        self.service = service
        self.authorize = authorize
        self.connectionInitTimeout = connectionInitTimeout
        (outputs, continuation) = AsyncStream<Output>.makeStream()
    }

    /// Creates a connection whose `authenticate` turns connection_init's token into a principal
    /// (or nil to refuse): a session that never expires and never ends on its own, re-checked on
    /// every message. Prefer ``init(service:connectionInitTimeout:authorize:)`` with
    /// ``GraphQLConnectionSession/authorizer(_:)``, which also closes at logout and expiry.
    public init(
        service: GraphQLService, connectionInitTimeout: Duration = .seconds(3),
        authenticate: @escaping @Sendable (String?) async -> Principal?
    ) {
        self.init(service: service, connectionInitTimeout: connectionInitTimeout) { token in
            await authenticate(token).map { GraphQLConnectionSession(principal: $0) }
        }
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
        timeoutTask?.cancel()
        sessionWatch?.cancel()
        stopAll()
        continuation.finish()
    }

    /// Watches the session: closes 4403 when it ends, 4401 when it expires.
    private func watch(_ session: GraphQLConnectionSession) {
        sessionWatch?.cancel()
        sessionWatch = Task { [weak self] in
            await withTaskGroup(of: (code: Int, reason: String)?.self) { group in
                if let ended = session.ended {
                    group.addTask {
                        guard let reason = await ended() else { return nil }
                        return (4403, "Forbidden: session ended (\(reason))")
                    }
                }
                if let validUntil = session.validUntil {
                    group.addTask {
                        let seconds = max(0, validUntil.timeIntervalSinceNow)
                        try? await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
                        return Task.isCancelled ? nil : (4401, "Unauthorized: token expired")
                    }
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                guard let first, !Task.isCancelled else { return }
                await self?.close(first.code, first.reason)
            }
        }
    }

    /// Re-checks the session before handling a client message; false when the connection closed.
    private func recheck() async -> Bool {
        guard case .ready(let current) = state else { return true }
        guard let session = await authorize(token), !session.hasExpired else {
            close(4401, "Unauthorized: session no longer valid")
            return false
        }
        guard session.principal == current.principal else {
            close(4403, "Forbidden: the session's principal changed")
            return false
        }
        return !isClosed
    }

    /// A renewal: `ping` carrying a fresh token for the same user and roles.
    private func renew(with newToken: String) async -> Bool {
        guard case .ready(let current) = state else { return true }
        guard let session = await authorize(newToken), !session.hasExpired else {
            close(4403, "Forbidden: the renewal token is not accepted")
            return false
        }
        guard session.principal.userID == current.principal.userID,
            Set(session.principal.roles) == Set(current.principal.roles)
        else {
            close(4403, "Forbidden: a renewal must be for the same user and roles")
            return false
        }
        guard case .ready = state else { return false }
        token = newToken
        state = .ready(session)
        watch(session)
        return true
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
        // Every message after the ack re-checks the session first (a renewal ping checks its new token).
        if type != "connection_init" {
            if type == "ping", let fresh = Self.token(in: message["payload"]) {
                guard await renew(with: fresh) else { return }
            } else {
                guard await recheck() else { return }
            }
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
            guard let session = await authorize(token), !session.hasExpired else {
                close(4403, "Forbidden")
                return
            }
            guard case .authenticating = state else { return }
            self.token = token
            state = .ready(session)
            watch(session)
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
            guard case .ready(let session) = state else {
                close(4401, "Unauthorized")
                return
            }
            let principal = session.principal
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
        if case .ready(let session) = state, session.hasExpired {
            close(4401, "Unauthorized: token expired")
            return
        }
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
        sessionWatch?.cancel()
        stopAll()
        continuation.yield(.close(code: code, reason: reason))
        continuation.finish()
    }

    private func stopAll() {
        for task in subscriptions.values { task.cancel() }
        subscriptions.removeAll()
    }
}
