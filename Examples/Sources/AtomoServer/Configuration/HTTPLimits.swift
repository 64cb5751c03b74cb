/// The HTTP layer's timeouts and caps: what keeps one hostile client from holding the server.
///
/// Every limit has a safe default and a configuration name (`crm-server` and `atomo dev` read the
/// environment variables; `docs/guide/security.md` lists them):
///
/// | Limit | Default | Variable |
/// |---|---|---|
/// | ``headerTimeout`` | 10 s | `ATOMO_HTTP_HEADER_TIMEOUT` |
/// | ``bodyTimeout`` | 30 s | `ATOMO_HTTP_BODY_TIMEOUT` |
/// | ``idleTimeout`` | 60 s | `ATOMO_HTTP_IDLE_TIMEOUT` |
/// | ``maximumConnections`` | 10,000 | `ATOMO_HTTP_MAX_CONNECTIONS` |
/// | ``maximumConnectionsPerAddress`` | 256 | `ATOMO_HTTP_MAX_CONNECTIONS_PER_ADDRESS` |
/// | ``maximumBodyBytes`` | 1 MiB | `ATOMO_HTTP_MAX_BODY_BYTES` |
public struct HTTPLimits: Sendable, Hashable {
    /// How long a client may take to send a request's line and headers, from its first byte (or,
    /// on a new connection, from the connection) to the blank line. A slower client is answered 408
    /// and disconnected: the slowloris defence.
    public var headerTimeout: Duration
    /// How long a client may take to send a request's body once its headers are in. A slower one is
    /// answered 408 and disconnected.
    public var bodyTimeout: Duration
    /// How long a connection may stay silent between requests (and a websocket without a ping)
    /// before it is closed. Websockets are pinged well within it.
    public var idleTimeout: Duration
    /// Connections open at once, in total; more are answered 503 and closed at once.
    public var maximumConnections: Int
    /// Connections open at once from one client address; more are answered 503 and closed at once.
    /// A trusted proxy (``ServerConfiguration/trustedProxies``) is exempt: its clients share its address.
    public var maximumConnectionsPerAddress: Int
    /// The largest request body on any route; a larger one is answered 413.
    public var maximumBodyBytes: Int

    /// Creates limits; the defaults are the safe ones.
    public init(
        headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(60),
        maximumConnections: Int = 10_000, maximumConnectionsPerAddress: Int = 256, maximumBodyBytes: Int = 1 << 20
    ) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maximumConnections = max(1, maximumConnections)
        self.maximumConnectionsPerAddress = max(1, maximumConnectionsPerAddress)
        self.maximumBodyBytes = max(1, maximumBodyBytes)
    }

    /// The defaults, with any of the `ATOMO_HTTP_*` variables in `environment` applied (seconds for
    /// timeouts, counts and bytes for the rest); an unreadable value is reported, not ignored.
    public init(environment: [String: String]) throws(ServerError) {
        self.init()
        func seconds(_ name: String) throws(ServerError) -> Duration? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Double(text), value > 0, value.isFinite else {
                throw ServerError.configuration("\(name) must be a positive number of seconds, not '\(text)'")
            }
            return .milliseconds(Int64((value * 1000).rounded()))
        }
        func count(_ name: String) throws(ServerError) -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text), value > 0 else {
                throw ServerError.configuration("\(name) must be a positive whole number, not '\(text)'")
            }
            return value
        }
        if let value = try seconds("ATOMO_HTTP_HEADER_TIMEOUT") { headerTimeout = value }
        if let value = try seconds("ATOMO_HTTP_BODY_TIMEOUT") { bodyTimeout = value }
        if let value = try seconds("ATOMO_HTTP_IDLE_TIMEOUT") { idleTimeout = value }
        if let value = try count("ATOMO_HTTP_MAX_CONNECTIONS") { maximumConnections = value }
        if let value = try count("ATOMO_HTTP_MAX_CONNECTIONS_PER_ADDRESS") { maximumConnectionsPerAddress = value }
        if let value = try count("ATOMO_HTTP_MAX_BODY_BYTES") { maximumBodyBytes = value }
    }
}
