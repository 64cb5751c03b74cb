/// The shared state behind ``YText``, ``YArray`` and ``YMap`` (Yjs's `AbstractType`): a linked list of
/// items for sequence content and a map of keys to their newest item for map content.
///
/// The public types are thin views of one `SharedType`, so a root named `"content"` can be read as text
/// by one caller and as a map by another, as in Yjs, where root names are all the wire knows.
final class SharedType {
    /// Yjs's type references, as written after a type item's content reference.
    enum Kind: UInt8 {
        case array = 0
        case map = 1
        case text = 2
        case xmlElement = 3
        case xmlFragment = 4
        case xmlHook = 5
        case xmlText = 6
        /// A root type that no caller has asked for by kind yet.
        case unspecified = 255
    }

    /// A remembered position in the list: `item` starts at visible index `index`.
    struct Marker {
        var item: Item
        var index: Int
    }

    var kind: Kind
    /// The XML node name or hook name, for those kinds.
    var nodeName: String?
    /// Unowned rather than weak: weak loads are slow on the hot path, and a `Doc` outliving its
    /// types is a programmer error the public views check for.
    unowned(safe) var doc: Doc?
    /// The item holding this type, `nil` for a root type.
    var item: Item?
    /// The name of a root type.
    var rootName: String?
    @exclusivity(unchecked) var start: Item?
    @exclusivity(unchecked) var map: [String: Item] = [:]
    /// Visible length in units (UTF-16 code units for text, elements for arrays).
    @exclusivity(unchecked) var length = 0
    var hasFormatting = false
    /// Up to `maximumMarkers` positions to start list searches from (Yjs's search markers).
    @exclusivity(unchecked) var markers: [Marker] = []
    static let maximumMarkers = 16
    /// The item of the last local insertion and the visible index after it, for sequential typing.
    @exclusivity(unchecked) var lastInsertion: (item: Item, end: Int)?
    var observers: [UInt64: (YEvent) -> Void] = [:]
    var deepObservers: [UInt64: ([YEvent]) -> Void] = [:]

    init(kind: Kind) {
        self.kind = kind
    }

    /// Forgets all remembered positions; called when remote changes touch this type.
    func invalidatePositionCache() {
        if !markers.isEmpty { markers.removeAll(keepingCapacity: true) }
        lastInsertion = nil
    }

    /// Repoints remembered positions from an item that is being merged into its left neighbour.
    func itemWasMerged(_ merged: Item, into survivor: Item) {
        for index in markers.indices where markers[index].item === merged {
            markers[index] = Marker(item: survivor, index: markers[index].index - survivor.visibleLength)
        }
        if let last = lastInsertion, last.item === merged { lastInsertion = (survivor, last.end) }
    }

    private func rememberPosition(_ item: Item, index: Int) {
        if let existing = markers.firstIndex(where: { $0.item === item }) {
            markers[existing].index = index
            return
        }
        if markers.count < Self.maximumMarkers {
            markers.append(Marker(item: item, index: index))
        } else {
            // Replace the marker farthest from the new position.
            var farthest = 0
            var distance = -1
            for (position, marker) in markers.enumerated() where abs(marker.index - index) > distance {
                distance = abs(marker.index - index)
                farthest = position
            }
            markers[farthest] = Marker(item: item, index: index)
        }
    }

    /// Shifts remembered positions after `count` units were inserted at `index` next to `anchor`.
    private func shiftMarkers(insertedAt index: Int, count: Int, keeping anchor: Item?) {
        var position = 0
        while position < markers.count {
            if markers[position].item === anchor {
                position += 1
            } else if markers[position].index > index {
                markers[position].index += count
                position += 1
            } else if markers[position].index == index {
                // Ambiguous: the marked item may lie before or after the insertion.
                markers.remove(at: position)
            } else {
                position += 1
            }
        }
    }

    /// The items around visible index `index`: `left` ends exactly at `index` (split if needed).
    func findPosition(_ index: Int, _ transaction: Transaction) -> (left: Item?, right: Item?) {
        guard index > 0, var item = start else { return (nil, start) }
        var position = 0
        var nearest = Int.max
        for marker in markers where abs(marker.index - index) < nearest {
            nearest = abs(marker.index - index)
            item = marker.item
            position = marker.index
        }
        if position >= index {
            while position >= index, let previous = item.left {
                item = previous
                position -= previous.visibleLength
            }
        } else {
            var current: Item? = item
            while let candidate = current {
                let visible = candidate.visibleLength
                if visible > 0 && index <= position + visible {
                    item = candidate
                    break
                }
                position += visible
                current = candidate.right
            }
        }
        rememberPosition(item, index: position)
        if index < position + item.length {
            _ = transaction.doc.store.itemCleanEnd(
                ID(client: item.client, clock: item.clock + index - position - 1), transaction)
        }
        return (item, item.right)
    }

    /// Inserts `content` at visible index `index` (0…length), the way Yjs inserts into text and arrays.
    func insert(_ content: ItemContent, at index: Int, _ transaction: Transaction, skipDeleted: Bool) {
        let doc = transaction.doc
        let count = content.length
        let client = doc.clientID
        // Fast path: typing continues right after this client's last insertion, so the new content
        // would be merged into that item anyway; append it in place.
        if let last = lastInsertion, last.end == index, !hasFormatting,
            extendInPlace(last.item, with: content, transaction)
        {
            shiftMarkers(insertedAt: index, count: count, keeping: last.item)
            lastInsertion = (last.item, index + count)
            return
        }
        var (left, right) = findPosition(index, transaction)
        if skipDeleted {
            while let next = right, next.isDeleted {
                left = next
                right = next.right
            }
        }
        let item = Item(
            client: client, clock: doc.store.state(of: client), origin: left?.lastID, rightOrigin: right?.id,
            parent: self, parentSub: nil, content: content)
        item.left = left
        item.right = right
        item.integrate(transaction)
        shiftMarkers(insertedAt: index, count: count, keeping: item)
        rememberPosition(item, index: index)
        lastInsertion = (item, index + count)
    }

    private func extendInPlace(_ item: Item, with content: ItemContent, _ transaction: Transaction) -> Bool {
        let doc = transaction.doc
        guard item.parent === self, !item.isDeleted, item.client == doc.clientID,
            item.clock + item.length == doc.store.state(of: item.client), item.content.reference == content.reference
        else { return false }
        if let right = item.right {
            guard !right.isDeleted, right.id == item.rightOrigin else { return false }
        } else {
            guard item.rightOrigin == nil else { return false }
        }
        transaction.noteNewStruct(client: item.client, clock: item.clock + item.length)
        guard item.content.append(content) else { return false }
        item.length += content.length
        length += content.length
        transaction.noteChanged(self, key: nil)
        return true
    }

    /// Deletes `count` visible units starting at `index`.
    func delete(at index: Int, count: Int, _ transaction: Transaction) {
        guard count > 0 else { return }
        let doc = transaction.doc
        var (_, current) = findPosition(index, transaction)
        var remaining = count
        while remaining > 0, let item = current {
            if item.visibleLength > 0 {
                if remaining < item.length {
                    _ = doc.store.itemCleanEnd(ID(client: item.client, clock: item.clock + remaining - 1), transaction)
                }
                remaining -= item.length
                item.delete(transaction)
            }
            current = item.right
        }
        for position in markers.indices where markers[position].index > index {
            markers[position].index = max(index, markers[position].index - count)
        }
        lastInsertion = nil
    }

    /// Sets map entry `key` to `content`.
    func set(_ key: String, _ content: ItemContent, _ transaction: Transaction) {
        let doc = transaction.doc
        let left = map[key]
        let client = doc.clientID
        let item = Item(
            client: client, clock: doc.store.state(of: client), origin: left?.lastID, rightOrigin: nil,
            parent: self, parentSub: key, content: content)
        item.left = left
        item.integrate(transaction)
    }

    /// Removes map entry `key`.
    func remove(_ key: String, _ transaction: Transaction) {
        map[key]?.delete(transaction)
    }

    /// The visible items of the list, in order.
    var visibleItems: [Item] {
        var result: [Item] = []
        var current = start
        while let item = current {
            if item.visibleLength > 0 { result.append(item) }
            current = item.right
        }
        return result
    }
}
