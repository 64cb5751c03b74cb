/// A small map from client ids to clocks that keeps its first entry inline.
///
/// A transaction records each changed client's state before it; almost every transaction changes one
/// client only, and this spares it a dictionary allocation and hashing on the hot path.
struct ClientClocks {
    private var firstClient: UInt64 = 0
    private var firstClock = -1
    private var others: [UInt64: Int] = [:]

    var isEmpty: Bool { firstClock < 0 }

    subscript(client: UInt64) -> Int? {
        if firstClock >= 0 && firstClient == client { return firstClock }
        return others.isEmpty ? nil : others[client]
    }

    /// Records `clock` for `client` unless it already has one.
    @inline(__always) mutating func recordIfAbsent(client: UInt64, clock: Int) {
        if firstClock < 0 {
            firstClient = client
            firstClock = clock
        } else if firstClient != client && others[client] == nil {
            others[client] = clock
        }
    }

    /// Every entry.
    var entries: [(client: UInt64, clock: Int)] {
        guard firstClock >= 0 else { return [] }
        return [(firstClient, firstClock)] + others.map { ($0.key, $0.value) }
    }

    /// The entries as a dictionary.
    var dictionary: [UInt64: Int] {
        var result = others
        if firstClock >= 0 { result[firstClient] = firstClock }
        return result
    }
}
