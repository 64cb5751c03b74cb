import Foundation
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// The connections open at once, in total and per client address, against ``HTTPLimits``.
final class ConnectionCounter: Sendable {
    private struct Counts {
        var total = 0
        var byAddress: [String: Int] = [:]
    }

    let limits: HTTPLimits
    /// Reverse proxies: every client behind one shares its address, so the per-address cap does
    /// not apply to them (the total cap does).
    let trustedProxies: [CIDR]
    private let counts = Mutex(Counts())

    init(limits: HTTPLimits, trustedProxies: [CIDR] = []) {
        self.limits = limits
        self.trustedProxies = trustedProxies
    }

    /// Counts a new connection from `address`; false (and nothing counted) when a cap is reached.
    func open(from address: String) -> Bool {
        let isProxy = trustedProxies.contains { $0.contains(address) }
        return counts.withLock { counts in
            guard counts.total < limits.maximumConnections,
                isProxy || counts.byAddress[address, default: 0] < limits.maximumConnectionsPerAddress
            else { return false }
            counts.total += 1
            counts.byAddress[address, default: 0] += 1
            return true
        }
    }

    /// Forgets a connection ``open(from:)`` counted.
    func close(from address: String) {
        counts.withLock { counts in
            counts.total -= 1
            let left = counts.byAddress[address, default: 1] - 1
            counts.byAddress[address] = left > 0 ? left : nil
        }
    }

    /// Connections open now.
    var openConnections: Int { counts.withLock { $0.total } }
}

/// The first handler of every connection, on the raw bytes: it enforces the connection caps and the
/// header, body and idle timeouts of ``HTTPLimits`` before the HTTP decoder sees anything, so that a
/// client sending headers one byte at a time, or never sending anything, cannot hold a connection.
///
/// It follows HTTP/1.1 framing just enough for the timeouts: a request's head ends at the first blank
/// line; its body is `Content-Length` bytes (or, chunked, lasts until the response starts). Once the
/// server answers `101 Switching Protocols` the connection is a websocket and only the idle timeout
/// applies (the server pings websockets well within it).
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        /// Between requests: only the idle timeout runs.
        case idle
        /// Reading a request head, started at `since`; `tail` holds the last bytes seen (to find the
        /// blank line across reads) and `head` the head so far (to read its framing headers).
        case head(since: NIODeadline, head: [UInt8])
        /// Reading a body of `remaining` bytes (nil: chunked), started at `since`.
        case body(since: NIODeadline, remaining: Int?)
        /// The request is in; the server is answering.
        case answering
        /// A websocket.
        case upgraded
    }

    private let counter: ConnectionCounter
    private let logger: Logger
    private var limits: HTTPLimits { counter.limits }
    private var phase = Phase.idle
    private var lastActivity = NIODeadline.now()
    private var address: String?
    private var timer: Scheduled<Void>?
    private var closing = false
    /// Bytes of an error response still to write before the connection closes.
    private var closeAfter: Int?
    /// The longest head kept for reading its framing headers (NIO's decoder enforces its own limits).
    private static let maximumHeadBytes = 64 * 1024

    init(counter: ConnectionCounter, logger: Logger) {
        self.counter = counter
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard address == nil, !closing else { return }
        let peer = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard counter.open(from: peer) else {
            logger.warning("connection refused: too many connections", metadata: ["client": .string(peer)])
            refuse(context: context, status: "503 Service Unavailable")
            return
        }
        address = peer
        // A new connection must start its first request within the header timeout.
        phase = .head(since: .now(), head: [])
        lastActivity = .now()
        schedule(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    private func release() {
        timer?.cancel()
        timer = nil
        if let address {
            counter.close(from: address)
            self.address = nil
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let buffer = unwrapInboundIn(data)
        lastActivity = .now()
        observe(buffer.readableBytesView)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        lastActivity = .now()
        if case .body(_, let remaining) = phase, (remaining ?? 1) > 0, closeAfter == nil,
            let length = Self.errorResponseLength(buffer.readableBytesView)
        {
            // The server refused the request without reading its body (413 and the like): the
            // rest of the body would be read as the next request, so the connection ends with the answer.
            closeAfter = length
        }
        if let left = closeAfter {
            let after = left - buffer.readableBytes
            closeAfter = after
            if after <= 0 {
                closing = true
                timer?.cancel()
                let written = context.eventLoop.makePromise(of: Void.self)
                written.futureResult.whenComplete { _ in context.close(promise: nil) }
                written.futureResult.cascade(to: promise)
                context.writeAndFlush(data, promise: written)
                return
            }
        }
        switch phase {
        case .upgraded: break
        case .answering, .body, .idle, .head:
            if buffer.readableBytesView.starts(with: Self.switchingProtocols) {
                phase = .upgraded
            } else if case .answering = phase {
                phase = .idle
            } else if case .body(_, nil) = phase {
                phase = .idle
            }
        }
        context.write(data, promise: promise)
    }

    /// Moves the phase along the bytes of a read.
    private func observe(_ bytes: ByteBufferView) {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            switch phase {
            case .upgraded:
                return
            case .idle, .answering:
                // The first byte of the next request (pipelined or after a keep-alive pause).
                phase = .head(since: .now(), head: [])
            case .head(let since, var head):
                // Scan for the blank line that ends the head.
                var ended = false
                while index < bytes.endIndex {
                    let byte = bytes[index]
                    index += 1
                    if head.count < Self.maximumHeadBytes { head.append(byte) }
                    if byte == UInt8(ascii: "\n"), head.count >= 2 {
                        let count = head.count
                        if head[count - 2] == UInt8(ascii: "\n")
                            || (count >= 4 && head[count - 2] == UInt8(ascii: "\r") && head[count - 3] == UInt8(ascii: "\n"))
                        {
                            ended = true
                            break
                        }
                    }
                }
                guard ended else {
                    phase = .head(since: since, head: head)
                    return
                }
                switch Self.framing(of: head) {
                case .none: phase = .answering
                case .length(let length): phase = length > 0 ? .body(since: .now(), remaining: length) : .answering
                case .chunked: phase = .body(since: .now(), remaining: nil)
                }
            case .body(let since, let remaining):
                guard let remaining else { return }  // chunked: lasts until the response starts
                let available = bytes.distance(from: index, to: bytes.endIndex)
                if available < remaining {
                    phase = .body(since: since, remaining: remaining - available)
                    return
                }
                index = bytes.index(index, offsetBy: remaining)
                phase = .answering
            }
        }
    }

    private enum Framing { case none, length(Int), chunked }

    /// The body framing a request head declares.
    private static func framing(of head: [UInt8]) -> Framing {
        let text = String(decoding: head, as: UTF8.self).lowercased()
        var length: Int?
        // "\r\n" is one Character in Swift: split on anything that is a line break.
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "transfer-encoding", value.contains("chunked") { return .chunked }
            if name == "content-length" { length = Int(value) }
        }
        return length.map { .length($0) } ?? .none
    }

    private static let switchingProtocols = Array("HTTP/1.1 101".utf8)

    /// The whole length (head and body) of an error response (4xx or 5xx) starting in `bytes`, when
    /// `bytes` hold its head and the head declares a length; nil otherwise.
    private static func errorResponseLength(_ bytes: ByteBufferView) -> Int? {
        guard bytes.starts(with: Array("HTTP/1.1 ".utf8)), bytes.count >= 12 else { return nil }
        let status = bytes[bytes.index(bytes.startIndex, offsetBy: 9)]
        guard status == UInt8(ascii: "4") || status == UInt8(ascii: "5") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let headLength = text.utf8.distance(from: text.startIndex, to: end.upperBound)
        for line in text[..<end.lowerBound].split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length",
                let length = Int(parts[1].trimmingCharacters(in: .whitespaces))
            {
                return headLength + length
            }
        }
        return headLength
    }

    /// Checks the timeouts every quarter of the shortest one (at most once a second).
    private func schedule(context: ChannelHandlerContext) {
        let shortest = min(limits.headerTimeout, limits.bodyTimeout, limits.idleTimeout)
        let interval = min(max(shortest / 4, .milliseconds(50)), .seconds(1))
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(interval.nanoseconds)) { [self] in
            check(context: loopBound.value)
        }
    }

    private func check(context: ChannelHandlerContext) {
        guard !closing, address != nil else { return }
        let now = NIODeadline.now()
        switch phase {
        case .head(let since, let head) where now - since >= .nanoseconds(limits.headerTimeout.nanoseconds):
            logger.info(
                "closing a connection: request head not received in time",
                metadata: ["client": .string(address ?? ""), "bytes": .stringConvertible(head.count)])
            refuse(context: context, status: head.isEmpty ? nil : "408 Request Timeout")
            return
        case .body(let since, _) where now - since >= .nanoseconds(limits.bodyTimeout.nanoseconds):
            logger.info("closing a connection: request body not received in time", metadata: ["client": .string(address ?? "")])
            refuse(context: context, status: "408 Request Timeout")
            return
        case .idle, .upgraded:
            if now - lastActivity >= .nanoseconds(limits.idleTimeout.nanoseconds) {
                logger.debug("closing an idle connection", metadata: ["client": .string(address ?? "")])
                refuse(context: context, status: nil)
                return
            }
        default:
            break
        }
        schedule(context: context)
    }

    /// Answers `status` (when given) with `Connection: close`, then closes.
    private func refuse(context: ChannelHandlerContext, status: String?) {
        guard !closing else { return }
        closing = true
        timer?.cancel()
        guard let status else {
            context.close(promise: nil)
            return
        }
        let response = "HTTP/1.1 \(status)\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    fileprivate var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}

/// A server child channel with the ``ConnectionGuard`` in front of the pipeline and the
/// ``BadRequestResponder`` behind the HTTP decoder (a malformed first request is answered 400, not
/// dropped without a word), around Hummingbird's HTTP/1.1-with-websocket channel.
struct GuardedServerChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner
    let counter: ConnectionCounter
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(
                ConnectionGuard(counter: counter, logger: self.logger), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try channel.pipeline.syncOperations.addHandler(BadRequestResponder())
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// Answers 400 (and closes) when the HTTP decoder fails before anything was answered on the
/// connection: Hummingbird answers parse errors of later requests itself, but the first request of a
/// connection that may upgrade to a websocket is decoded before its handlers exist. It never
/// unwraps what passes through, so it stays harmlessly in place after a websocket upgrade.
final class BadRequestResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    private var answered = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        answered = true
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, !answered else {
            context.fireErrorCaught(error)
            return
        }
        answered = true
        let head = HTTPResponseHead(
            version: .http1_1, status: .badRequest, headers: ["Connection": "close", "Content-Length": "0"])
        context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
