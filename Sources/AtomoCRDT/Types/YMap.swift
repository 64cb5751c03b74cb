/// A shared map from string keys to values and nested types (Yjs `Y.Map`). Concurrent writes to one
/// key resolve the same way on every peer (the higher client id wins among concurrent values).
///
/// ```swift
/// let settings = doc.getMap("settings")
/// settings.set("theme", "dark")
/// settings["theme"]  // .any(.string("dark"))
/// ```
public struct YMap: Equatable {
    let type: SharedType

    init(_ type: SharedType) { self.type = type }

    /// Two views are equal when they show the same shared type.
    public static func == (lhs: YMap, rhs: YMap) -> Bool { lhs.type === rhs.type }

    var doc: Doc {
        guard let doc = type.doc else { preconditionFailure("the Doc of this YMap was deallocated") }
        return doc
    }

    /// The keys that have a value, sorted.
    public var keys: [String] { type.map.filter { !$0.value.isDeleted }.keys.sorted() }

    /// The number of keys with a value.
    public var count: Int { type.map.values.filter { !$0.isDeleted }.count }

    /// The value of `key`.
    public subscript(key: String) -> YValue? {
        guard let item = type.map[key], !item.isDeleted else { return nil }
        return YValue.values(of: item).last
    }

    /// The content as plain data (types nested deeper than 200 levels read as `.null`).
    public var json: AnyValue { type.mapJSON(depth: 0) }

    /// Sets `key` to `value`; a `.bytes` value is stored as Yjs binary content.
    public func set(_ key: String, _ value: AnyValue) {
        let type = self.type
        let content: ItemContent
        if case .bytes(let bytes) = value { content = .binary(bytes) } else { content = .any([value]) }
        doc.transact { transaction in type.set(key, content, transaction) }
    }

    /// Sets `key` to a new nested text and returns it.
    @discardableResult
    public func setText(_ key: String) -> YText { YText(setType(key, .text)) }

    /// Sets `key` to a new nested array and returns it.
    @discardableResult
    public func setArray(_ key: String) -> YArray { YArray(setType(key, .array)) }

    /// Sets `key` to a new nested map and returns it.
    @discardableResult
    public func setMap(_ key: String) -> YMap { YMap(setType(key, .map)) }

    private func setType(_ key: String, _ kind: SharedType.Kind) -> SharedType {
        let nested = SharedType(kind: kind)
        let type = self.type
        doc.transact { transaction in type.set(key, .type(nested), transaction) }
        return nested
    }

    /// Removes `key`.
    public func remove(_ key: String) {
        let type = self.type
        doc.transact { transaction in type.remove(key, transaction) }
    }

    /// Calls `handler` after every transaction that changed this map.
    @discardableResult
    public func observe(_ handler: @escaping (YEvent) -> Void) -> Observation { doc.addObserver(to: type, handler) }

    /// Calls `handler` after every transaction that changed this map or any type nested in it, with
    /// one event per changed type; each event's `path` leads from this map to the changed type.
    @discardableResult
    public func observeDeep(_ handler: @escaping ([YEvent]) -> Void) -> Observation {
        doc.addDeepObserver(to: type, handler)
    }

    /// Stops an observer registered with ``observe(_:)`` or ``observeDeep(_:)``.
    public func unobserve(_ observation: Observation) { doc.removeObserver(from: type, observation) }
}
