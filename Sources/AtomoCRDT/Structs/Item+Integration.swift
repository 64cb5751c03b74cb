/// YATA integration and deletion of items (the algorithm of Yjs's `Item.integrate`).
extension Item {
    /// Links this item into its parent between `left` and `right`, resolving conflicts with concurrent
    /// insertions at the same place, and adds it to the store.
    ///
    /// `left`, `right` and `parent` must be set. Concurrent items that share this item's origin are
    /// ordered by client id; items whose origin lies between are kept together (YATA's rules 1–3).
    func integrate(_ transaction: Transaction) {
        guard let parent else { return }
        let doc = transaction.doc
        if (left == nil && (right == nil || right?.left != nil)) || (left != nil && left?.right !== right) {
            var newLeft = left
            var candidate: Item?
            if let left {
                candidate = left.right
            } else if let sub = parentSub {
                candidate = parent.map[sub]
                while let previous = candidate?.left { candidate = previous }
            } else {
                candidate = parent.start
            }
            var conflicting = Set<ObjectIdentifier>()
            var beforeOrigin = Set<ObjectIdentifier>()
            while let other = candidate, other !== right {
                beforeOrigin.insert(ObjectIdentifier(other))
                conflicting.insert(ObjectIdentifier(other))
                if origin == other.origin {
                    if other.client < client {
                        newLeft = other
                        conflicting.removeAll()
                    } else if rightOrigin == other.rightOrigin {
                        break
                    }
                } else if let otherOrigin = other.origin, let originItem = doc.store.find(otherOrigin),
                    beforeOrigin.contains(ObjectIdentifier(originItem))
                {
                    if !conflicting.contains(ObjectIdentifier(originItem)) {
                        newLeft = other
                        conflicting.removeAll()
                    }
                } else {
                    break
                }
                candidate = other.right
            }
            left = newLeft
        }
        if let left {
            right = left.right
            left.right = self
        } else {
            var first: Item?
            if let sub = parentSub {
                first = parent.map[sub]
                while let previous = first?.left { first = previous }
            } else {
                first = parent.start
                parent.start = self
            }
            right = first
        }
        if let right {
            right.left = self
        } else if let sub = parentSub {
            parent.map[sub] = self
            // The newest value of a key wins; the previous value is deleted.
            left?.delete(transaction)
        }
        if parentSub == nil && isCountable && !isDeleted { parent.length += length }
        transaction.noteNewStruct(client: client, clock: clock)
        doc.store.add(self)
        switch content {
        case .type(let type):
            type.doc = doc
            type.item = self
        case .format:
            parent.hasFormatting = true
        case .deleted:
            transaction.deleteSet.add(client: client, clock: clock, length: length)
            isDeleted = true
        default: break
        }
        if !transaction.isLocal { parent.invalidatePositionCache() }
        transaction.noteChanged(parent, key: parentSub)
        if parent.item?.isDeleted == true || (parentSub != nil && right != nil) {
            delete(transaction)
        }
    }

    /// Marks this item deleted, recording it in the transaction's delete set; deleting a nested type
    /// deletes its content too.
    func delete(_ transaction: Transaction) {
        guard !isDeleted, let parent else { return }
        if parentSub == nil && isCountable { parent.length -= length }
        isDeleted = true
        transaction.deleteSet.add(client: client, clock: clock, length: length)
        transaction.noteChanged(parent, key: parentSub)
        if !transaction.isLocal { parent.invalidatePositionCache() }
        if case .type(let type) = content {
            var child = type.start
            while let current = child {
                if !current.isDeleted { current.delete(transaction) }
                child = current.right
            }
            for value in type.map.values where !value.isDeleted { value.delete(transaction) }
        }
    }

    /// Garbage-collects a deleted item: its content shrinks to a length, and if its parent is gone too,
    /// the item becomes a GC struct that sits in no list.
    func collectGarbage(_ store: StructStore, parentCollected: Bool) {
        guard isDeleted, !isGC else { return }
        if case .type(let type) = content {
            var child = type.start
            while let current = child {
                child = current.right
                current.collectGarbage(store, parentCollected: true)
            }
            for value in type.map.values {
                var entry: Item? = value
                while let current = entry {
                    entry = current.left
                    current.collectGarbage(store, parentCollected: true)
                }
            }
            type.start = nil
            type.map = [:]
        }
        if parentCollected {
            // Replace this item in the store by a GC struct and cut its links.
            if let list = store.clients[client] {
                let index = StructStore.index(of: clock, in: list.items)
                if index < list.items.count, list.items[index] === self {
                    list.items[index] = Item.gc(client: client, clock: clock, length: length)
                }
            }
            left = nil
            right = nil
            parent = nil
            content = .deleted(length)
        } else {
            content = .deleted(length)
            isCountable = false
        }
    }
}
