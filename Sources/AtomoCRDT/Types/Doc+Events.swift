/// Computing and dispatching ``YEvent``s after a transaction (Yjs `YEvent.changes`).
extension Doc {
    func dispatchEvents(_ transaction: Transaction) {
        var deepEvents: [ObjectIdentifier: (type: SharedType, events: [YEvent])] = [:]
        let changed = transaction.changed.values.sorted { ($0.type.rootName ?? "") < ($1.type.rootName ?? "") }
        for (type, keys) in changed {
            let ancestors = Self.ancestors(of: type).filter { !$0.deepObservers.isEmpty }
            guard !type.observers.isEmpty || !ancestors.isEmpty else { continue }
            let event = YEvent(
                delta: keys.contains(nil) ? delta(of: type, transaction) : [],
                keys: keyChanges(of: type, keys: keys.compactMap { $0 }, transaction),
                isLocal: transaction.isLocal, origin: transaction.origin)
            for handler in type.observers.sorted(by: { $0.key < $1.key }).map(\.value) { handler(event) }
            for ancestor in ancestors {
                var relative = event
                relative.path = Self.path(from: ancestor, to: type)
                deepEvents[ObjectIdentifier(ancestor), default: (ancestor, [])].events.append(relative)
            }
        }
        for (type, events) in deepEvents.values {
            for handler in type.deepObservers.sorted(by: { $0.key < $1.key }).map(\.value) { handler(events) }
        }
    }

    /// `type` and the types that contain it, innermost first.
    private static func ancestors(of type: SharedType) -> [SharedType] {
        var result: [SharedType] = []
        var current: SharedType? = type
        while let next = current, result.count < 10_000 {
            result.append(next)
            current = next.item?.parent
        }
        return result
    }

    /// Keys and indices leading from `ancestor` down to `type`.
    private static func path(from ancestor: SharedType, to type: SharedType) -> [YEvent.PathSegment] {
        var segments: [YEvent.PathSegment] = []
        var current = type
        while current !== ancestor, let item = current.item, let parent = item.parent {
            if let key = item.parentSub {
                segments.append(.key(key))
            } else {
                var index = 0
                var sibling = parent.start
                while let candidate = sibling, candidate !== item {
                    index += candidate.visibleLength
                    sibling = candidate.right
                }
                segments.append(.index(index))
            }
            current = parent
        }
        return segments.reversed()
    }

    /// The number of leading units of `item` that existed before the transaction.
    private func unitsBefore(_ item: Item, _ transaction: Transaction) -> Int {
        guard let before = transaction.beforeState[item.client] else { return item.length }
        return min(item.length, max(0, before - item.clock))
    }

    private func delta(of type: SharedType, _ transaction: Transaction) -> [YEvent.Change] {
        var changes: [YEvent.Change] = []
        func retain(_ count: Int) {
            guard count > 0 else { return }
            if case .retain(let existing) = changes.last {
                changes[changes.count - 1] = .retain(existing + count)
            } else {
                changes.append(.retain(count))
            }
        }
        func delete(_ count: Int) {
            guard count > 0 else { return }
            if case .delete(let existing) = changes.last {
                changes[changes.count - 1] = .delete(existing + count)
            } else {
                changes.append(.delete(count))
            }
        }
        func insert(_ values: [YValue]) {
            guard !values.isEmpty else { return }
            if case .insert(let existing) = changes.last {
                if case .any(.string(let previous)) = existing.last, values.count == 1,
                    case .any(.string(let next)) = values[0]
                {
                    changes[changes.count - 1] = .insert(existing.dropLast() + [.any(.string(previous + next))])
                } else {
                    changes[changes.count - 1] = .insert(existing + values)
                }
            } else {
                changes.append(.insert(values))
            }
        }
        var current = type.start
        while let item = current {
            current = item.right
            guard item.isCountable else { continue }
            let old = unitsBefore(item, transaction)
            if item.isDeleted {
                if old > 0 && transaction.deleted(item.id) { delete(old) }
            } else {
                retain(old)
                if old < item.length {
                    let added = item.content.suffix(from: old)
                    let probe = Item(
                        client: item.client, clock: item.clock + old, origin: nil, rightOrigin: nil, parent: nil,
                        parentSub: nil, content: added)
                    insert(YValue.values(of: probe))
                }
            }
        }
        if case .retain = changes.last { changes.removeLast() }
        return changes
    }

    private func keyChanges(
        of type: SharedType, keys: [String], _ transaction: Transaction
    ) -> [String: YEvent.KeyChange] {
        var result: [String: YEvent.KeyChange] = [:]
        for key in keys {
            guard let item = type.map[key] else { continue }
            let adds = { (item: Item) in transaction.inserted(item.id) }
            let deletes = { (item: Item) in transaction.deleted(item.id) }
            if adds(item) {
                var previous = item.left
                while let candidate = previous, adds(candidate) { previous = candidate.left }
                let previousValue = previous.flatMap { YValue.values(of: $0).last } ?? .any(.undefined)
                if deletes(item) {
                    if let previous, deletes(previous) { result[key] = .deleted(oldValue: previousValue) }
                } else if let previous, deletes(previous) {
                    result[key] = .updated(oldValue: previousValue)
                } else {
                    result[key] = .added
                }
            } else if deletes(item) {
                result[key] = .deleted(oldValue: YValue.values(of: item).last ?? .any(.undefined))
            }
        }
        return result
    }
}
