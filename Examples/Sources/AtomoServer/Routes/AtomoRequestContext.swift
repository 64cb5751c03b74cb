public import Hummingbird
public import NIOCore

/// The request context of the server's routes: Hummingbird's basics plus the client's address
/// (for login throttling and logs).
public struct AtomoRequestContext: RequestContext {
    /// Hummingbird's storage.
    public var coreContext: CoreRequestContextStorage
    /// The peer's address, when known.
    public let remoteAddress: SocketAddress?

    /// Creates the context for a request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address as text.
    public var clientAddress: String? { remoteAddress?.ipAddress }
}
