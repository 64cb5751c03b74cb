/// One atomic change to a ``Doc``: local edits made inside ``Doc/transact(origin:_:)``, or one applied update.
///
/// Observers run once per transaction, after it commits, and see what it changed.
///
/// Its bookkeeping skips dynamic exclusivity checks: a transaction lives inside one call on its
/// document's isolation domain.
public final class Transaction {
    /// The document being changed.
    public unowned let doc: Doc
    /// What started the transaction (free-form, e.g. a provider's name); sync code uses it to avoid echoes.
    public let origin: String?
    /// Whether the changes were made locally (`true`) or came from an applied update (`false`).
    public let isLocal: Bool
    /// Each changed client's state before the transaction.
    @exclusivity(unchecked) var beforeState = ClientClocks()
    /// Everything deleted in the transaction.
    @exclusivity(unchecked) var deleteSet = DeleteSet()
    /// Types changed, with the map keys that changed (`nil` for list content); only tracked while some
    /// type has observers.
    @exclusivity(unchecked) var changed: [ObjectIdentifier: (type: SharedType, keys: Set<String?>)] = [:]
    /// Structs created by splits, to merge back at the end of the transaction where possible.
    @exclusivity(unchecked) var mergeCandidates: [Item] = []

    init(doc: Doc, origin: String?, isLocal: Bool) {
        self.doc = doc
        self.origin = origin
        self.isLocal = isLocal
    }

    /// Records `client`'s state before its first new struct in this transaction.
    @inline(__always) func noteNewStruct(client: UInt64, clock: Int) {
        beforeState.recordIfAbsent(client: client, clock: clock)
    }

    @inline(__always) func noteChanged(_ type: SharedType, key: String?) {
        guard doc.observedTypeCount > 0 else { return }
        let identifier = ObjectIdentifier(type)
        if changed[identifier] == nil {
            changed[identifier] = (type, [key])
        } else {
            changed[identifier]?.keys.insert(key)
        }
    }

    /// Whether the unit `id` was inserted by this transaction.
    func inserted(_ id: ID) -> Bool {
        guard let before = beforeState[id.client] else { return false }
        return id.clock >= before
    }

    /// Whether the unit `id` was deleted by this transaction (the delete set must be sorted).
    func deleted(_ id: ID) -> Bool { deleteSet.contains(id) }

    /// The update that carries this transaction's changes (new structs and deletions) in update v1.
    public var update: [UInt8] {
        var writer = BinaryWriter()
        UpdateEncoder.writeStructs(doc.store, from: beforeState.dictionary, to: &writer)
        deleteSet.write(to: &writer)
        return writer.bytes
    }
}
