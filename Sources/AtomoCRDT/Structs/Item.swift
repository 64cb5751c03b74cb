/// One struct of the document: a run of content inserted by one client at consecutive clocks, linked
/// into its parent's list between `left` and `right`. A garbage-collected struct (`isGC`) keeps only its
/// id range and sits in no list.
///
/// Invariants: `length == content.length` (except for GC structs, whose content is `.deleted(length)`);
/// a client's structs in the ``StructStore`` cover clocks `0..<state` without gaps; items in a list are
/// linked both ways. Links form cycles, which ``Doc``'s deinitialiser and garbage collection break.
///
/// Hot stored properties skip dynamic exclusivity checks: a document and its items are confined to one
/// isolation domain and never accessed re-entrantly.
final class Item {
    var client: UInt64
    var clock: Int
    @exclusivity(unchecked) var length: Int
    /// The id of the unit left of this one when it was inserted (Yjs `origin`).
    var origin: ID?
    /// The id of the unit right of this one when it was inserted (Yjs `rightOrigin`).
    var rightOrigin: ID?
    @exclusivity(unchecked) var left: Item?
    @exclusivity(unchecked) var right: Item?
    /// The type whose list or map holds this item; `nil` only for GC structs.
    var parent: SharedType?
    /// The map key, for items that are values of a map.
    var parentSub: String?
    @exclusivity(unchecked) var content: ItemContent
    @exclusivity(unchecked) var isDeleted: Bool
    var isGC: Bool
    /// Cached `content.isCountable`.
    var isCountable: Bool
    /// Yjs `keep`: never garbage-collect (unused by AtomoCRDT itself, kept for parity).
    var keep = false

    init(
        client: UInt64, clock: Int, origin: ID?, rightOrigin: ID?, parent: SharedType?, parentSub: String?,
        content: ItemContent
    ) {
        self.client = client
        self.clock = clock
        self.length = content.length
        self.origin = origin
        self.rightOrigin = rightOrigin
        self.parent = parent
        self.parentSub = parentSub
        self.content = content
        self.isDeleted = false
        self.isGC = false
        self.isCountable = content.isCountable
    }

    /// A garbage-collected struct covering `length` clocks.
    static func gc(client: UInt64, clock: Int, length: Int) -> Item {
        let item = Item(
            client: client, clock: clock, origin: nil, rightOrigin: nil, parent: nil, parentSub: nil,
            content: .deleted(length))
        item.isGC = true
        item.isDeleted = true
        item.isCountable = false
        return item
    }

    var id: ID { ID(client: client, clock: clock) }
    var lastID: ID { ID(client: client, clock: clock + length - 1) }
    /// The length this item contributes to its parent's visible length.
    var visibleLength: Int { isDeleted || !isCountable ? 0 : length }

    /// Splits this item at `offset` (0 < offset < length); this keeps the left part and the new right
    /// part is linked after it. The caller inserts the right part into the struct store.
    func split(at offset: Int) -> Item {
        let rightContent = content.split(at: offset)
        let rightItem = Item(
            client: client, clock: clock + offset, origin: ID(client: client, clock: clock + offset - 1),
            rightOrigin: rightOrigin, parent: parent, parentSub: parentSub, content: rightContent)
        if isGC {
            rightItem.isGC = true
            rightItem.isCountable = false
        }
        rightItem.length = length - offset
        rightItem.isDeleted = isDeleted
        rightItem.keep = keep
        length = offset
        if !isGC {
            rightItem.left = self
            rightItem.right = right
            right?.left = rightItem
            right = rightItem
            if let sub = parentSub, rightItem.right == nil, let parent { parent.map[sub] = rightItem }
        }
        return rightItem
    }

    /// Merges `next` (the struct right after this one in the store) into this one when Yjs would.
    func tryMerge(_ next: Item) -> Bool {
        guard isGC == next.isGC, next.client == client, clock + length == next.clock else { return false }
        if isGC {
            length += next.length
            content = .deleted(length)
            return true
        }
        guard isDeleted == next.isDeleted, right === next, next.origin == lastID, rightOrigin == next.rightOrigin,
            content.reference == next.content.reference, !keep, !next.keep
        else { return false }
        guard content.append(next.content) else { return false }
        if let parent { parent.itemWasMerged(next, into: self) }
        right = next.right
        right?.left = self
        length += next.length
        if let sub = parentSub, let parent, parent.map[sub] === next { parent.map[sub] = self }
        next.left = nil
        next.right = nil
        return true
    }
}
