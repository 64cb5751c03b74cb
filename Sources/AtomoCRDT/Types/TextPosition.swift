/// A position in text while inserting or formatting, with the attributes in effect there
/// (Yjs's `ItemTextListPosition`).
struct TextPosition {
    let type: SharedType
    var left: Item?
    var right: Item?
    var index = 0
    var attributes: [String: AnyValue] = [:]

    /// Walks from the start to visible index `target`, collecting attributes on the way.
    init(type: SharedType, index target: Int, _ transaction: Transaction) {
        self.type = type
        right = type.start
        type.invalidatePositionCache()
        var count = target
        while let next = right, count > 0 {
            if !next.isDeleted {
                if case .format(let key, let value) = next.content {
                    Self.apply(key: key, json: value, to: &attributes)
                } else if next.isCountable {
                    if count < next.length {
                        _ = transaction.doc.store.itemCleanEnd(
                            ID(client: next.client, clock: next.clock + count - 1), transaction)
                    }
                    index += next.length
                    count -= next.length
                }
            }
            left = next
            right = next.right
        }
    }

    static func apply(key: String, json: String, to attributes: inout [String: AnyValue]) {
        let value = (try? JSONText.decode(json)) ?? .null
        if value == .null { attributes[key] = nil } else { attributes[key] = value }
    }

    static func value(_ json: String) -> AnyValue { (try? JSONText.decode(json)) ?? .null }

    mutating func forward() {
        guard let next = right else { return }
        if !next.isDeleted {
            if case .format(let key, let value) = next.content {
                Self.apply(key: key, json: value, to: &attributes)
            } else if next.isCountable {
                index += next.length
            }
        }
        left = next
        right = next.right
    }

    private mutating func insertItem(_ content: ItemContent, _ transaction: Transaction) {
        let doc = transaction.doc
        let item = Item(
            client: doc.clientID, clock: doc.store.state(of: doc.clientID), origin: left?.lastID,
            rightOrigin: right?.id,
            parent: type, parentSub: nil, content: content)
        item.left = left
        item.right = right
        item.integrate(transaction)
        right = item
        forward()
    }

    /// Skips deleted items and formats that already say what `attributes` say.
    private mutating func minimizeAttributeChanges(_ attributes: [String: AnyValue]) {
        while let next = right {
            if next.isDeleted {
                forward()
            } else if case .format(let key, let value) = next.content, (attributes[key] ?? .null) == Self.value(value) {
                forward()
            } else {
                break
            }
        }
    }

    /// Inserts format items for attributes that differ from those in effect; returns the previous values.
    private mutating func insertAttributes(
        _ attributes: [String: AnyValue], _ transaction: Transaction
    ) -> [String: AnyValue] {
        var negated: [String: AnyValue] = [:]
        for key in attributes.keys.sorted() {
            let value = attributes[key] ?? .null
            let current = self.attributes[key] ?? .null
            if current != value {
                negated[key] = current
                insertItem(.format(key: key, value: JSONText.encode(value)), transaction)
            }
        }
        return negated
    }

    private mutating func insertNegatedAttributes(_ negated: [String: AnyValue], _ transaction: Transaction) {
        var negated = negated
        while let next = right {
            if next.isDeleted {
                forward()
            } else if case .format(let key, let value) = next.content, let wanted = negated[key],
                wanted == Self.value(value)
            {
                negated[key] = nil
                forward()
            } else {
                break
            }
        }
        for key in negated.keys.sorted() {
            insertItem(.format(key: key, value: JSONText.encode(negated[key] ?? .null)), transaction)
        }
    }

    mutating func insert(_ content: ItemContent, attributes: inout [String: AnyValue], _ transaction: Transaction) {
        for key in self.attributes.keys where attributes[key] == nil { attributes[key] = .null }
        minimizeAttributeChanges(attributes)
        let negated = insertAttributes(attributes, transaction)
        insertItem(content, transaction)
        insertNegatedAttributes(negated, transaction)
    }

    mutating func format(count: Int, attributes: [String: AnyValue], _ transaction: Transaction) {
        var remaining = count
        minimizeAttributeChanges(attributes)
        var negated = insertAttributes(attributes, transaction)
        loop: while let next = right,
            remaining > 0 || (!negated.isEmpty && (next.isDeleted || next.content.reference == 6))
        {
            if !next.isDeleted {
                if case .format(let key, let json) = next.content {
                    let value = Self.value(json)
                    if let wanted = attributes[key] {
                        if wanted == value {
                            negated[key] = nil
                        } else {
                            if remaining == 0 { break loop }
                            negated[key] = value
                        }
                        next.delete(transaction)
                    } else {
                        if value == .null { self.attributes[key] = nil } else { self.attributes[key] = value }
                    }
                } else if next.isCountable {
                    if remaining < next.length {
                        _ = transaction.doc.store.itemCleanEnd(
                            ID(client: next.client, clock: next.clock + remaining - 1), transaction)
                    }
                    remaining -= min(remaining, next.length)
                }
            }
            forward()
        }
        insertNegatedAttributes(negated, transaction)
    }
}
