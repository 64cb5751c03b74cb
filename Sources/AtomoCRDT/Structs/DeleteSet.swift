/// Deleted content, as ranges of clocks per client. Updates carry one after their structs.
public struct DeleteSet: Equatable, Sendable {
    /// A run of deleted clocks `[clock, clock + length)`.
    public struct Range: Equatable, Sendable {
        /// The first deleted clock.
        public var clock: Int
        /// The number of deleted clocks.
        public var length: Int
        /// One past the last deleted clock.
        public var end: Int { clock + length }
    }

    /// The ranges per client; sorted and merged after ``sortAndMerge()``.
    public internal(set) var clients: [UInt64: [Range]] = [:]

    /// Creates an empty delete set.
    public init() {}

    /// Whether nothing is deleted.
    public var isEmpty: Bool { clients.values.allSatisfy(\.isEmpty) }

    mutating func add(client: UInt64, clock: Int, length: Int) {
        guard length > 0 else { return }
        // Mutated in place through the subscript; extends the last range when deletes run forward.
        clients[client, default: []].appendRange(Range(clock: clock, length: length))
    }

    /// Sorts every client's ranges and merges those that touch or overlap.
    mutating func sortAndMerge() {
        for (client, ranges) in clients where ranges.count > 1 {
            let sorted = ranges.sorted { $0.clock < $1.clock }
            var merged: [Range] = [sorted[0]]
            for range in sorted.dropFirst() {
                let last = merged[merged.count - 1]
                if range.clock <= last.end {
                    merged[merged.count - 1].length = max(last.end, range.end) - last.clock
                } else {
                    merged.append(range)
                }
            }
            clients[client] = merged
        }
    }

    /// Whether `id` lies in a deleted range (the set must be sorted).
    func contains(_ id: ID) -> Bool {
        guard let ranges = clients[id.client] else { return false }
        var low = 0
        var high = ranges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let range = ranges[middle]
            if id.clock < range.clock {
                high = middle - 1
            } else if id.clock >= range.end {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }

    /// The union of several delete sets.
    static func merging(_ sets: [DeleteSet]) -> DeleteSet {
        var result = DeleteSet()
        for set in sets {
            for (client, ranges) in set.clients { result.clients[client, default: []].append(contentsOf: ranges) }
        }
        result.sortAndMerge()
        return result
    }

    init(reading reader: inout BinaryReader) throws(CRDTError) {
        let clientCount = try reader.readCount()
        for _ in 0..<clientCount {
            let client = try reader.readVarUint()
            let rangeCount = try reader.readCount()
            var ranges: [Range] = []
            ranges.reserveCapacity(rangeCount)
            for _ in 0..<rangeCount {
                let clock = try reader.readInt()
                let length = try reader.readInt()
                if length > 0 { ranges.append(Range(clock: clock, length: length)) }
            }
            clients[client, default: []].append(contentsOf: ranges)
        }
        sortAndMerge()
    }

    func write(to writer: inout BinaryWriter) {
        let entries = clients.filter { !$0.value.isEmpty }.sorted { $0.key > $1.key }
        writer.writeVarUint(entries.count)
        for (client, ranges) in entries {
            writer.writeVarUint(client)
            writer.writeVarUint(ranges.count)
            for range in ranges {
                writer.writeVarUint(range.clock)
                writer.writeVarUint(range.length)
            }
        }
    }
}

extension Array where Element == DeleteSet.Range {
    fileprivate mutating func appendRange(_ range: DeleteSet.Range) {
        if let last = self.last, last.end == range.clock {
            self[count - 1].length += range.length
        } else {
            append(range)
        }
    }
}
