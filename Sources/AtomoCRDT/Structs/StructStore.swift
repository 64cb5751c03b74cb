/// Every struct of a document, per client, sorted by clock and covering `0..<state` without gaps.
///
/// Lookups by id are binary searches. Splitting a struct inserts the right half into the client's
/// array; merging removes it again at the end of a transaction.
final class StructStore {
    /// One client's structs. A class, so that the array is mutated in place through the dictionary.
    final class ClientStructs {
        // Unchecked: the store is confined to its document's isolation, and dynamic exclusivity
        // checks on this hot array cost more than the rest of a lookup.
        @exclusivity(unchecked) var items: [Item] = []
        var state: Int {
            guard let last = items.last else { return 0 }
            return last.clock + last.length
        }
    }

    var clients: [UInt64: ClientStructs] = [:]
    /// The last client looked up and its structs: most operations touch one client many times, and
    /// this saves hashing its id each time.
    @exclusivity(unchecked) private var cachedClient: UInt64?
    @exclusivity(unchecked) private var cachedList: ClientStructs?

    /// The structs of `client`, if it has any.
    @inline(__always) func list(_ client: UInt64) -> ClientStructs? {
        if cachedClient == client, let cachedList { return cachedList }
        guard let list = clients[client] else { return nil }
        cachedClient = client
        cachedList = list
        return list
    }

    func state(of client: UInt64) -> Int { list(client)?.state ?? 0 }

    var stateVector: StateVector {
        var clocks: [UInt64: Int] = [:]
        for (client, structs) in clients where structs.state > 0 { clocks[client] = structs.state }
        return StateVector(clocks)
    }

    func structs(of client: UInt64) -> ClientStructs {
        if let existing = list(client) { return existing }
        let created = ClientStructs()
        clients[client] = created
        return created
    }

    /// Appends a struct whose clock is the client's current state.
    func add(_ item: Item) {
        let list = structs(of: item.client)
        assert(list.state == item.clock, "structs must be added in clock order")
        list.items.append(item)
    }

    /// The index of the struct containing `clock` (which must be below the client's state).
    static func index(of clock: Int, in items: [Item]) -> Int {
        var low = 0
        var high = items.count - 1
        // Interpolated first guess: clocks are dense, so this usually lands on the struct directly.
        if let last = items.last, high > 0 {
            let total = last.clock + last.length
            // In floating point: clocks reach 2^53, and their product with an index would overflow.
            let guess = max(0, min(high, Int(Double(clock) / Double(max(total, 1)) * Double(high))))
            let item = items[guess]
            if item.clock <= clock && clock < item.clock + item.length { return guess }
            if clock < item.clock { high = guess - 1 } else { low = guess + 1 }
        }
        while low <= high {
            let middle = (low + high) >> 1
            let item = items[middle]
            if clock < item.clock {
                high = middle - 1
            } else if clock >= item.clock + item.length {
                low = middle + 1
            } else {
                return middle
            }
        }
        return max(0, min(low, items.count - 1))
    }

    /// The struct containing `id`, or `nil` if the store has not seen it.
    func find(_ id: ID) -> Item? {
        guard let list = list(id.client), id.clock < list.state, id.clock >= 0 else { return nil }
        return list.items[Self.index(of: id.clock, in: list.items)]
    }

    /// The item starting exactly at `id`, splitting the struct containing it if needed.
    func itemCleanStart(_ id: ID, _ transaction: Transaction) -> Item? {
        guard let list = list(id.client), id.clock < list.state, id.clock >= 0 else { return nil }
        let index = Self.index(of: id.clock, in: list.items)
        let item = list.items[index]
        if item.clock < id.clock && !item.isGC {
            let right = item.split(at: id.clock - item.clock)
            list.items.insert(right, at: index + 1)
            transaction.mergeCandidates.append(right)
            return right
        }
        return item
    }

    /// The item ending exactly at `id`, splitting the struct containing it if needed.
    func itemCleanEnd(_ id: ID, _ transaction: Transaction) -> Item? {
        guard let list = list(id.client), id.clock < list.state, id.clock >= 0 else { return nil }
        let index = Self.index(of: id.clock, in: list.items)
        let item = list.items[index]
        if id.clock != item.clock + item.length - 1 && !item.isGC {
            let right = item.split(at: id.clock - item.clock + 1)
            list.items.insert(right, at: index + 1)
            transaction.mergeCandidates.append(right)
        }
        return item
    }

    /// Splits the struct at `index` of `list` at `offset` and inserts the right part after it.
    @discardableResult
    func split(_ list: ClientStructs, at index: Int, offset: Int, _ transaction: Transaction) -> Item {
        let right = list.items[index].split(at: offset)
        list.items.insert(right, at: index + 1)
        transaction.mergeCandidates.append(right)
        return right
    }

    /// Merges the struct at `index` into its left neighbours while Yjs would merge them; returns how many
    /// structs were removed.
    @discardableResult
    func mergeWithLefts(_ list: ClientStructs, at index: Int) -> Int {
        var rightIndex = index
        var removed = 0
        while rightIndex > 0, rightIndex < list.items.count {
            let left = list.items[rightIndex - 1]
            let right = list.items[rightIndex]
            guard left.isDeleted == right.isDeleted, left.tryMerge(right) else { break }
            rightIndex -= 1
            removed += 1
        }
        if removed > 0 { list.items.removeSubrange(rightIndex + 1...rightIndex + removed) }
        return removed
    }

    /// The delete set of everything deleted in the store (Yjs `createDeleteSetFromStructStore`).
    var deleteSet: DeleteSet {
        var set = DeleteSet()
        for (client, list) in clients {
            var ranges: [DeleteSet.Range] = []
            for item in list.items where item.isDeleted {
                if let last = ranges.last, last.end == item.clock {
                    ranges[ranges.count - 1].length += item.length
                } else {
                    ranges.append(DeleteSet.Range(clock: item.clock, length: item.length))
                }
            }
            if !ranges.isEmpty { set.clients[client] = ranges }
        }
        return set
    }
}
