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
    /// deletes its content too. Iterative, so deeply nested types from hostile updates cannot exhaust
    /// the stack.
    func delete(_ transaction: Transaction) {
        var work: [Item] = [self]
        while let item = work.popLast() {
            guard !item.isDeleted, let parent = item.parent else { continue }
            if item.parentSub == nil && item.isCountable { parent.length -= item.length }
            item.isDeleted = true
            transaction.deleteSet.add(client: item.client, clock: item.clock, length: item.length)
            transaction.noteChanged(parent, key: item.parentSub)
            if !transaction.isLocal { parent.invalidatePositionCache() }
            if case .type(let type) = item.content {
                var child = type.start
                while let current = child {
                    if !current.isDeleted { work.append(current) }
                    child = current.right
                }
                for value in type.map.values where !value.isDeleted { work.append(value) }
            }
        }
    }

    /// Garbage-collects a deleted item: its content shrinks to a length, and if its parent is gone too,
    /// the item becomes a GC struct that sits in no list. Iterative over nested types.
    func collectGarbage(_ store: StructStore, parentCollected: Bool) {
        var work: [(Item, Bool)] = [(self, parentCollected)]
        while let (item, collected) = work.popLast() {
            guard item.isDeleted, !item.isGC else { continue }
            if case .type(let type) = item.content {
                var child = type.start
                while let current = child {
                    child = current.right
                    work.append((current, true))
                }
                for value in type.map.values {
                    var entry: Item? = value
                    while let current = entry {
                        entry = current.left
                        work.append((current, true))
                    }
                }
                type.start = nil
                type.map = [:]
            }
            if collected {
                // Replace the item in the store by a GC struct and cut its links.
                if let list = store.list(item.client) {
                    let index = StructStore.index(of: item.clock, in: list.items)
                    if index < list.items.count, list.items[index] === item {
                        list.items[index] = Item.gc(client: item.client, clock: item.clock, length: item.length)
                    }
                }
                item.left = nil
                item.right = nil
                item.parent = nil
            } else {
                item.isCountable = false
            }
            item.content = .deleted(item.length)
        }
    }
}
