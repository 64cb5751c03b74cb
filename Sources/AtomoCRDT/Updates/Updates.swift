/// Operations on encoded updates that need no document (Yjs `mergeUpdates`, `diffUpdate`,
/// `encodeStateVectorFromUpdate`): a server can store, compact and answer sync requests from updates
/// alone.
///
/// ```swift
/// let compacted = try Updates.merge([first, second, third])
/// let missing = try Updates.diff(compacted, since: try StateVector(decoding: peerState))
/// ```
public enum Updates {
    /// Merges updates into one that has the effect of applying all of them, in any order; structs
    /// present in several updates appear once, and gaps are marked with skip structs as Yjs does.
    public static func merge(_ updates: [[UInt8]]) throws(CRDTError) -> [UInt8] {
        var decoded: [DecodedUpdate] = []
        for update in updates { decoded.append(try DecodedUpdate(decoding: update)) }
        return merge(decoded).encoded
    }

    static func merge(_ updates: [DecodedUpdate]) -> DecodedUpdate {
        var all: [UInt64: [WireStruct]] = [:]
        for update in updates {
            for (client, list) in update.structs {
                all[client, default: []].append(contentsOf: list.filter { $0.kind != .skip })
            }
        }
        var result = DecodedUpdate()
        for (client, list) in all {
            let sorted = list.sorted { $0.clock != $1.clock ? $0.clock < $1.clock : $0.length > $1.length }
            var out: [WireStruct] = []
            var next = 0
            for var wire in sorted {
                if !out.isEmpty {
                    if wire.end <= next { continue }
                    if wire.clock > next {
                        out.append(WireStruct(kind: .skip, client: client, clock: next, length: wire.clock - next))
                    } else if wire.clock < next {
                        wire = wire.suffix(from: next - wire.clock)
                    }
                }
                out.append(wire)
                next = wire.end
            }
            if !out.isEmpty { result.structs[client] = out }
        }
        result.deleteSet = DeleteSet.merging(updates.map(\.deleteSet))
        return result
    }

    /// The part of `update` that a replica at `stateVector` lacks (its delete set is kept whole).
    public static func diff(_ update: [UInt8], since stateVector: StateVector) throws(CRDTError) -> [UInt8] {
        diff(try DecodedUpdate(decoding: update), since: stateVector).encoded
    }

    static func diff(_ update: DecodedUpdate, since stateVector: StateVector) -> DecodedUpdate {
        var result = DecodedUpdate()
        result.deleteSet = update.deleteSet
        for (client, list) in update.structs {
            let known = stateVector[client]
            var out: [WireStruct] = []
            for wire in list where wire.end > known {
                out.append(wire.clock < known ? wire.suffix(from: known - wire.clock) : wire)
            }
            // A leading skip carries nothing.
            while let first = out.first, first.kind == .skip { out.removeFirst() }
            if !out.isEmpty { result.structs[client] = out }
        }
        return result
    }

    /// The state vector a document would have after applying only `update` to an empty document:
    /// per client, the end of its gap-free run of structs from clock 0.
    public static func stateVector(of update: [UInt8]) throws(CRDTError) -> StateVector {
        let decoded = try DecodedUpdate(decoding: update)
        var clocks: [UInt64: Int] = [:]
        for (client, list) in decoded.structs {
            var next = 0
            for wire in list {
                guard wire.kind != .skip, wire.clock <= next else { break }
                next = max(next, wire.end)
            }
            if next > 0 { clocks[client] = next }
        }
        return StateVector(clocks)
    }
}
