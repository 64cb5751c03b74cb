import Foundation
import HTTPTypes
public import Hummingbird
import Logging

/// Decides each request's client address (``AtomoRequestContext/clientAddress``) and adds it to the
/// request's log metadata (`client`).
///
/// The address is the socket peer's, unless the peer lies in one of the trusted proxy networks;
/// then `X-Forwarded-For` is read from the right: each proxy appends the address it received the
/// request from, so the right-most entry that is *not* a trusted proxy is the first hop nobody we
/// trust vouches for — the client. Entries to its left are whatever the client sent and are ignored.
/// Without trusted proxies (the default) the header is never read, so a client cannot choose its
/// own address (and its own login-throttling bucket).
public struct ClientAddressMiddleware: RouterMiddleware {
    /// The networks whose `X-Forwarded-For` is believed.
    public let trustedProxies: [CIDR]

    /// Creates the middleware.
    public init(trustedProxies: [CIDR]) {
        self.trustedProxies = trustedProxies
    }

    /// Sets the context's client address, then answers through `next`.
    public func handle(
        _ request: Request, context: AtomoRequestContext,
        next: (Request, AtomoRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if !trustedProxies.isEmpty {
            context.clientAddress = Self.clientAddress(
                peer: context.clientAddress,
                forwardedFor: request.headers.filter { $0.name.canonicalName == "x-forwarded-for" }.map(\.value),
                trustedProxies: trustedProxies)
        }
        if let address = context.clientAddress { context.logger[metadataKey: "client"] = "\(address)" }
        return try await next(request, context)
    }

    /// The client's address given the peer's and the `X-Forwarded-For` header values (in order).
    ///
    /// - The peer is not a trusted proxy (or unknown): the peer.
    /// - Otherwise, walking the forwarded addresses from the right, the first that is not a trusted
    ///   proxy; when every one is trusted, the left-most. An entry that is not an IP address stops
    ///   the walk: the hop to its right (a trusted proxy) is used, since nothing trusted vouches for it.
    public static func clientAddress(peer: String?, forwardedFor: [String], trustedProxies: [CIDR]) -> String? {
        guard let peer, isTrusted(peer, trustedProxies) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { stripPort(String($0)) }
        var current = peer
        for hop in hops.reversed() {
            guard CIDR.parseAddress(hop) != nil else { return current }
            current = hop
            if !isTrusted(hop, trustedProxies) { return hop }
        }
        return current
    }

    private static func isTrusted(_ address: String, _ proxies: [CIDR]) -> Bool {
        guard let bytes = CIDR.parseAddress(address) else { return false }
        return proxies.contains { $0.contains(bytes: bytes) }
    }

    /// `203.0.113.9:4711` → `203.0.113.9`, `[2001:db8::1]:443` → `2001:db8::1`; other forms unchanged
    /// (trimmed).
    private static func stripPort(_ entry: String) -> String {
        let text = entry.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            return String(text[text.index(after: text.startIndex)..<close])
        }
        let colons = text.filter { $0 == ":" }.count
        if colons == 1, let colon = text.firstIndex(of: ":") { return String(text[..<colon]) }
        return text
    }
}
