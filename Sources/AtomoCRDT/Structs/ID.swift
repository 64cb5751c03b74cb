/// The identity of one unit of content: the client that created it and that client's clock at the time.
///
/// Clocks count content units (UTF-16 code units for text, elements for arrays), so the `n`-th unit
/// a client ever inserted has clock `n`.
public struct ID: Hashable, Sendable, CustomStringConvertible {
    /// The creating client's id.
    public var client: UInt64
    /// The client's clock of this unit.
    public var clock: Int

    /// Creates an id.
    public init(client: UInt64, clock: Int) {
        self.client = client
        self.clock = clock
    }

    /// `client:clock`.
    public var description: String { "\(client):\(clock)" }
}
