public import Hummingbird
public import NIOCore

/// The request context of the server's routes: Hummingbird's basics plus the client's address
/// (for login throttling and logs).
public struct AtomoRequestContext: RequestContext {
    /// Hummingbird's storage.
    public var coreContext: CoreRequestContextStorage
    /// The peer's address, when known.
    public let remoteAddress: SocketAddress?
    /// The client's IP address as text: the peer's, or — when the peer is a trusted proxy
    /// (`ServerConfiguration.trustedProxies`) — the right-most untrusted address of
    /// `X-Forwarded-For`, as `ClientAddressMiddleware` resolved it.
    public var clientAddress: String?

    /// Creates the context for a request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        clientAddress = remoteAddress?.ipAddress
    }
}
