/// For each client, the number of content units (its next clock) a document has seen.
///
/// Two documents with equal state vectors have integrated the same insertions. Encoded as y-protocols
/// sync step 1 carries it: a `varUint` count, then `client`, `clock` pairs.
public struct StateVector: Equatable, Sendable, CustomStringConvertible {
    /// The next expected clock per client; clients absent from the map are at clock 0.
    public var clocks: [UInt64: Int]

    /// Creates a state vector.
    public init(_ clocks: [UInt64: Int] = [:]) { self.clocks = clocks }

    /// The next expected clock of `client` (0 if never seen).
    public subscript(client: UInt64) -> Int { clocks[client] ?? 0 }

    /// Decodes an encoded state vector.
    public init(decoding bytes: [UInt8]) throws(CRDTError) {
        var reader = BinaryReader(bytes)
        self = try StateVector(reading: &reader)
        try reader.expectEnd()
    }

    init(reading reader: inout BinaryReader) throws(CRDTError) {
        let count = try reader.readCount()
        var clocks: [UInt64: Int] = [:]
        for _ in 0..<count {
            let client = try reader.readVarUint()
            clocks[client] = try reader.readInt()
        }
        self.clocks = clocks
    }

    /// The binary encoding (Yjs `encodeStateVector`), clients in descending order.
    public var encoded: [UInt8] {
        var writer = BinaryWriter()
        write(to: &writer)
        return writer.bytes
    }

    func write(to writer: inout BinaryWriter) {
        let entries = clocks.filter { $0.value > 0 }.sorted { $0.key > $1.key }
        writer.writeVarUint(entries.count)
        for (client, clock) in entries {
            writer.writeVarUint(client)
            writer.writeVarUint(clock)
        }
    }

    /// `{client: clock, …}`.
    public var description: String {
        "{" + clocks.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
    }
}
