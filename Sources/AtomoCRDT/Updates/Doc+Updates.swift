/// Encoding a document as an update and applying updates (Yjs `encodeStateAsUpdate`, `applyUpdate`).
extension Doc {
    /// Everything this document has that a replica at `stateVector` lacks, as an update v1, with the
    /// document's whole delete set. With the default empty state vector: the whole document.
    ///
    /// Structs and deletions still pending (waiting for their dependencies) are included, as Yjs does,
    /// so a replica that syncs from this one can complete them once the missing content arrives.
    public func encodeStateAsUpdate(since stateVector: StateVector = StateVector()) -> [UInt8] {
        var writer = BinaryWriter(capacity: 1024)
        UpdateEncoder.writeStructs(store, from: stateVector.clocks, onlyListed: false, to: &writer)
        store.deleteSet.write(to: &writer)
        guard hasPendingUpdates, let base = try? DecodedUpdate(decoding: writer.bytes) else { return writer.bytes }
        var pending = DecodedUpdate()
        pending.structs = pendingStructs
        pending.deleteSet = pendingDeleteSet
        return Updates.merge([base, Updates.diff(pending, since: stateVector)]).encoded
    }

    /// ``encodeStateAsUpdate(since:)`` with an encoded state vector (as received in sync step 1).
    public func encodeStateAsUpdate(sinceEncodedStateVector bytes: [UInt8]) throws(CRDTError) -> [UInt8] {
        encodeStateAsUpdate(since: try StateVector(decoding: bytes))
    }

    /// Applies an update v1 from any Yjs-compatible peer.
    ///
    /// The update is decoded and validated completely before the document is touched, so malformed
    /// input throws and leaves the document unchanged. Structs whose dependencies have not arrived are
    /// kept pending (``hasPendingUpdates``) and integrated when a later update supplies them; the same
    /// holds for deletions of content not yet seen. Applying an update twice is harmless.
    public func applyUpdate(_ update: [UInt8], origin: String? = nil) throws(CRDTError) {
        let decoded = try DecodedUpdate(decoding: update)
        transactRemote(origin: origin) { transaction in integrate(decoded, transaction) }
    }

    func integrate(_ update: DecodedUpdate, _ transaction: Transaction) {
        var queues = update.structs
        for (client, pending) in pendingStructs {
            if let incoming = queues[client] {
                queues[client] = Self.mergeSorted(pending, incoming)
            } else {
                queues[client] = pending
            }
        }
        pendingStructs = [:]
        var heads: [UInt64: Int] = [:]
        let clients = queues.keys.sorted()
        var progress = true
        while progress {
            progress = false
            for client in clients {
                guard let queue = queues[client] else { continue }
                var index = heads[client] ?? 0
                while index < queue.count {
                    let wire = queue[index]
                    let state = store.state(of: client)
                    if wire.kind == .skip || wire.end <= state {
                        index += 1
                        continue
                    }
                    if wire.clock > state || isMissingDependency(wire) { break }
                    integrate(wire, offset: state - wire.clock, transaction)
                    index += 1
                    progress = true
                }
                heads[client] = index
            }
        }
        for client in clients {
            guard let queue = queues[client] else { continue }
            let rest = queue[(heads[client] ?? 0)...].filter { $0.kind != .skip }
            if !rest.isEmpty { pendingStructs[client] = Array(rest) }
        }
        let deletions =
            pendingDeleteSet.isEmpty ? update.deleteSet : DeleteSet.merging([update.deleteSet, pendingDeleteSet])
        pendingDeleteSet = apply(deletions, transaction)
    }

    /// Merges two lists sorted by clock in linear time (pending structs can be many).
    static func mergeSorted(_ first: [WireStruct], _ second: [WireStruct]) -> [WireStruct] {
        var merged: [WireStruct] = []
        merged.reserveCapacity(first.count + second.count)
        var left = 0
        var right = 0
        while left < first.count && right < second.count {
            if second[right].clock < first[left].clock {
                merged.append(second[right])
                right += 1
            } else {
                merged.append(first[left])
                left += 1
            }
        }
        merged.append(contentsOf: first[left...])
        merged.append(contentsOf: second[right...])
        return merged
    }

    /// Whether an item refers to content this document has not seen yet.
    private func isMissingDependency(_ wire: WireStruct) -> Bool {
        guard wire.kind == .item else { return false }
        let state = store.state(of: wire.client)
        // With an offset the origin becomes the struct's own previous unit, which exists.
        if let origin = wire.origin, !(origin.client == wire.client && wire.clock < state),
            origin.clock >= store.state(of: origin.client)
        {
            return true
        }
        if let right = wire.rightOrigin, right.clock >= store.state(of: right.client) { return true }
        if case .item(let parent) = wire.parent, parent.clock >= store.state(of: parent.client) { return true }
        return false
    }

    private func integrate(_ wire: WireStruct, offset: Int, _ transaction: Transaction) {
        let clock = wire.clock + offset
        let length = wire.length - offset
        guard wire.kind == .item, let wireContent = wire.content else {
            transaction.noteNewStruct(client: wire.client, clock: clock)
            store.add(Item.gc(client: wire.client, clock: clock, length: length))
            return
        }
        let origin = offset > 0 ? ID(client: wire.client, clock: clock - 1) : wire.origin
        let content = wireContent.suffix(from: offset)
        if case .type(let type) = content, type.item != nil {
            // The same decoded type can only be integrated once; a duplicate becomes a fresh type.
            return integrateAsGC(wire.client, clock, length, transaction)
        }
        let left = origin.flatMap { store.itemCleanEnd($0, transaction) }
        let right = wire.rightOrigin.flatMap { store.itemCleanStart($0, transaction) }
        var parent: SharedType?
        var parentSub = wire.parentSub
        if left?.isGC == true || right?.isGC == true {
            parent = nil
        } else if wire.parent == nil || offset > 0 || origin != nil || wire.rightOrigin != nil {
            if let left {
                parent = left.parent
                parentSub = left.parentSub
            } else if let right {
                parent = right.parent
                parentSub = right.parentSub
            }
        } else if case .root(let name) = wire.parent {
            parent = root(name, kind: .unspecified)
        } else if case .item(let id) = wire.parent, let holder = store.find(id), !holder.isGC,
            case .type(let type) = holder.content
        {
            parent = type
        }
        guard let parent else { return integrateAsGC(wire.client, clock, length, transaction) }
        let item = Item(
            client: wire.client, clock: clock, origin: origin, rightOrigin: wire.rightOrigin, parent: parent,
            parentSub: parentSub, content: content)
        item.left = left
        item.right = right
        item.integrate(transaction)
    }

    private func integrateAsGC(_ client: UInt64, _ clock: Int, _ length: Int, _ transaction: Transaction) {
        transaction.noteNewStruct(client: client, clock: clock)
        store.add(Item.gc(client: client, clock: clock, length: length))
    }

    /// Deletes what `deleteSet` names; returns the part that refers to content not seen yet.
    private func apply(_ deleteSet: DeleteSet, _ transaction: Transaction) -> DeleteSet {
        var unapplied = DeleteSet()
        for (client, ranges) in deleteSet.clients {
            let state = store.state(of: client)
            for range in ranges {
                if range.clock >= state {
                    unapplied.add(client: client, clock: range.clock, length: range.length)
                    continue
                }
                var end = range.end
                if end > state {
                    unapplied.add(client: client, clock: state, length: end - state)
                    end = state
                }
                guard let list = store.list(client) else { continue }
                var index = StructStore.index(of: range.clock, in: list.items)
                let first = list.items[index]
                if !first.isDeleted && first.clock < range.clock {
                    store.split(list, at: index, offset: range.clock - first.clock, transaction)
                    index += 1
                }
                while index < list.items.count {
                    let item = list.items[index]
                    guard item.clock < end else { break }
                    if !item.isDeleted {
                        if end < item.clock + item.length {
                            store.split(list, at: index, offset: end - item.clock, transaction)
                        }
                        item.delete(transaction)
                    }
                    index += 1
                }
            }
        }
        unapplied.sortAndMerge()
        return unapplied
    }
}
