/// A Yjs-compatible document: named root types, the structs that make them up, and the machinery to
/// exchange updates with other replicas (Yjs `Y.Doc`).
///
/// A `Doc` is not thread-safe: confine it to one actor, task or thread, as Yjs confines it to one
/// JavaScript realm.
///
/// ```swift
/// let a = Doc(), b = Doc()
/// try a.getText("t").insert("hi", at: 0)
/// try b.applyUpdate(a.encodeStateAsUpdate())
/// b.getText("t").string  // "hi"
/// ```
public final class Doc {
    /// This replica's client id (a random 32-bit number unless given).
    public let clientID: UInt64
    /// Whether deleted content is garbage-collected (its content dropped) when transactions commit.
    public var isGarbageCollectionEnabled: Bool

    let store = StructStore()
    var roots: [String: SharedType] = [:]
    @exclusivity(unchecked) var currentTransaction: Transaction?
    /// Structs whose dependencies have not arrived yet, per client (sorted by clock).
    var pendingStructs: [UInt64: [WireStruct]] = [:]
    /// Deletions of content that has not arrived yet.
    var pendingDeleteSet = DeleteSet()
    var updateObservers: [UInt64: ([UInt8], Transaction) -> Void] = [:]
    var afterTransactionObservers: [UInt64: (Transaction) -> Void] = [:]
    var nextObservationID: UInt64 = 0
    /// How many types have observers; change tracking is skipped while it is zero.
    var observedTypeCount = 0

    /// Creates a document with `clientID`, or a random one.
    public init(clientID: UInt64? = nil, garbageCollection: Bool = true) {
        self.clientID = clientID ?? UInt64(UInt32.random(in: 1...UInt32.max))
        self.isGarbageCollectionEnabled = garbageCollection
    }

    deinit {
        // Items, types and their links form reference cycles; cut them so the memory is freed.
        for list in store.clients.values {
            for item in list.items {
                item.left = nil
                item.right = nil
                item.parent = nil
                if case .type(let type) = item.content {
                    type.start = nil
                    type.map = [:]
                    type.item = nil
                }
                item.content = .deleted(0)
            }
        }
        for root in roots.values {
            root.start = nil
            root.map = [:]
            root.markers = []
            root.lastInsertion = nil
        }
    }

    func root(_ name: String, kind: SharedType.Kind) -> SharedType {
        if let existing = roots[name] {
            if existing.kind == .unspecified && kind != .unspecified { existing.kind = kind }
            return existing
        }
        let type = SharedType(kind: kind)
        type.doc = self
        type.rootName = name
        roots[name] = type
        return type
    }

    /// The root text named `name`, created if needed.
    public func getText(_ name: String) -> YText { YText(root(name, kind: .text)) }
    /// The root array named `name`, created if needed.
    public func getArray(_ name: String) -> YArray { YArray(root(name, kind: .array)) }
    /// The root map named `name`, created if needed.
    public func getMap(_ name: String) -> YMap { YMap(root(name, kind: .map)) }

    /// The names of the root types this document knows.
    public var rootNames: [String] { roots.keys.sorted() }

    /// All root types as plain data, keyed by name (roots read as text, array or map by how they were
    /// last requested; roots only seen in updates are read by their content).
    public var json: AnyValue { .object(roots.mapValues { $0.json(depth: 0) }) }

    /// Runs `body` as one transaction: observers run once, after it, and one update carries its changes.
    /// Nested calls join the outer transaction.
    @discardableResult
    public func transact<Result>(origin: String? = nil, _ body: (Transaction) throws -> Result) rethrows -> Result {
        if let transaction = currentTransaction { return try body(transaction) }
        let transaction = Transaction(doc: self, origin: origin, isLocal: true)
        currentTransaction = transaction
        defer {
            currentTransaction = nil
            commit(transaction)
        }
        return try body(transaction)
    }

    func transactRemote(origin: String?, _ body: (Transaction) -> Void) {
        if let transaction = currentTransaction {
            body(transaction)
            return
        }
        let transaction = Transaction(doc: self, origin: origin, isLocal: false)
        currentTransaction = transaction
        body(transaction)
        currentTransaction = nil
        commit(transaction)
    }

    /// Finishes a transaction: observers, garbage collection, merging of structs, update observers.
    func commit(_ transaction: Transaction) {
        transaction.deleteSet.sortAndMerge()
        if !transaction.changed.isEmpty { dispatchEvents(transaction) }
        if isGarbageCollectionEnabled && !transaction.deleteSet.clients.isEmpty { collectGarbage(transaction) }
        mergeStructs(transaction)
        if !updateObservers.isEmpty && (!transaction.beforeState.isEmpty || !transaction.deleteSet.isEmpty) {
            let update = transaction.update
            for handler in updateObservers.sorted(by: { $0.key < $1.key }).map(\.value) { handler(update, transaction) }
        }
        if !afterTransactionObservers.isEmpty {
            for handler in afterTransactionObservers.sorted(by: { $0.key < $1.key }).map(\.value) {
                handler(transaction)
            }
        }
    }

    private func collectGarbage(_ transaction: Transaction) {
        for (client, ranges) in transaction.deleteSet.clients {
            guard let list = store.list(client) else { continue }
            for range in ranges {
                var index = StructStore.index(of: range.clock, in: list.items)
                while index < list.items.count {
                    let item = list.items[index]
                    guard item.clock < range.end else { break }
                    if item.isDeleted && !item.keep && !item.isGC { item.collectGarbage(store, parentCollected: false) }
                    index += 1
                }
            }
        }
    }

    private func mergeStructs(_ transaction: Transaction) {
        // Deleted ranges first (right to left, so indices stay valid), then new structs, then splits.
        for (client, ranges) in transaction.deleteSet.clients {
            guard let list = store.list(client) else { continue }
            for range in ranges.reversed() {
                guard !list.items.isEmpty else { break }
                let last = min(
                    list.items.count - 1, StructStore.index(of: min(range.end, list.state) - 1, in: list.items) + 1)
                let first = max(1, StructStore.index(of: range.clock, in: list.items))
                var index = last
                while index >= first, index < list.items.count {
                    store.mergeWithLefts(list, at: index)
                    index -= 1
                }
            }
        }
        for (client, before) in transaction.beforeState.entries {
            guard let list = store.list(client), before < list.state else { continue }
            let first = max(1, before > 0 ? StructStore.index(of: before, in: list.items) : 1)
            var index = list.items.count - 1
            while index >= first {
                store.mergeWithLefts(list, at: index)
                index -= 1
            }
        }
        for item in transaction.mergeCandidates.reversed() {
            guard let list = store.list(item.client), item.clock < list.state else { continue }
            let index = StructStore.index(of: item.clock, in: list.items)
            if index + 1 < list.items.count, store.mergeWithLefts(list, at: index + 1) > 1 { continue }
            if index > 0 { store.mergeWithLefts(list, at: index) }
        }
    }

    func nextObservation() -> Observation {
        nextObservationID += 1
        return Observation(id: nextObservationID)
    }

    func addObserver(to type: SharedType, _ handler: @escaping (YEvent) -> Void) -> Observation {
        let observation = nextObservation()
        type.observers[observation.id] = handler
        observedTypeCount += 1
        return observation
    }

    func removeObserver(from type: SharedType, _ observation: Observation) {
        if type.observers.removeValue(forKey: observation.id) != nil { observedTypeCount -= 1 }
        if type.deepObservers.removeValue(forKey: observation.id) != nil { observedTypeCount -= 1 }
    }

    func addDeepObserver(to type: SharedType, _ handler: @escaping ([YEvent]) -> Void) -> Observation {
        let observation = nextObservation()
        type.deepObservers[observation.id] = handler
        observedTypeCount += 1
        return observation
    }

    /// Calls `handler` with the update (v1) of every transaction that changed the document — the bytes
    /// to broadcast to other replicas (y-protocols `update` messages).
    @discardableResult
    public func observeUpdates(
        _ handler: @escaping (_ update: [UInt8], _ transaction: Transaction) -> Void
    ) -> Observation {
        let observation = nextObservation()
        updateObservers[observation.id] = handler
        return observation
    }

    /// Calls `handler` after every transaction.
    @discardableResult
    public func observeAfterTransaction(_ handler: @escaping (Transaction) -> Void) -> Observation {
        let observation = nextObservation()
        afterTransactionObservers[observation.id] = handler
        return observation
    }

    /// Stops a document-level observer.
    public func unobserve(_ observation: Observation) {
        updateObservers[observation.id] = nil
        afterTransactionObservers[observation.id] = nil
    }

    /// The document's state vector: for each client, how much of its content this replica has.
    public var stateVector: StateVector { store.stateVector }

    /// Whether updates are waiting for content they depend on (out-of-order delivery).
    public var hasPendingUpdates: Bool { !pendingStructs.isEmpty || !pendingDeleteSet.isEmpty }
}
