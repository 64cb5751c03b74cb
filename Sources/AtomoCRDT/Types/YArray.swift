/// A shared array of values and nested types (Yjs `Y.Array`). Indices count elements.
///
/// ```swift
/// let list = doc.getArray("items")
/// try list.insert([1, "two"], at: 0)
/// let nested = try list.insertMap(at: 2)
/// nested.set("done", false)
/// ```
public struct YArray: Equatable {
    let type: SharedType

    init(_ type: SharedType) { self.type = type }

    /// Two views are equal when they show the same shared type.
    public static func == (lhs: YArray, rhs: YArray) -> Bool { lhs.type === rhs.type }

    var doc: Doc {
        guard let doc = type.doc else { preconditionFailure("the Doc of this YArray was deallocated") }
        return doc
    }

    /// The number of elements.
    public var count: Int { type.length }

    /// The elements, in order.
    public var values: [YValue] { type.visibleItems.flatMap { YValue.values(of: $0) } }

    /// The element at `index`.
    public subscript(index: Int) -> YValue? {
        guard index >= 0, index < type.length else { return nil }
        var position = 0
        for item in type.visibleItems {
            if index < position + item.length { return YValue.values(of: item)[index - position] }
            position += item.length
        }
        return nil
    }

    /// The content as plain data (types nested deeper than 200 levels read as `.null`).
    public var json: AnyValue { type.listJSON(depth: 0) }

    /// Inserts `values` at `index`; a `.bytes` value is stored as Yjs binary content.
    public func insert(_ values: [AnyValue], at index: Int) throws(CRDTError) {
        guard index >= 0, index <= type.length else { throw .indexOutOfBounds(index: index, length: type.length) }
        guard !values.isEmpty else { return }
        let type = self.type
        doc.transact { transaction in
            var position = index
            var run: [AnyValue] = []
            func flush() {
                if !run.isEmpty {
                    type.insert(.any(run), at: position, transaction, skipDeleted: false)
                    position += run.count
                    run.removeAll()
                }
            }
            for value in values {
                if case .bytes(let bytes) = value {
                    flush()
                    type.insert(.binary(bytes), at: position, transaction, skipDeleted: false)
                    position += 1
                } else {
                    run.append(value)
                }
            }
            flush()
        }
    }

    /// Appends `values` at the end.
    public func append(_ values: [AnyValue]) throws(CRDTError) { try insert(values, at: count) }

    /// Inserts a new nested text at `index` and returns it.
    @discardableResult
    public func insertText(at index: Int) throws(CRDTError) -> YText { YText(try insertType(.text, at: index)) }

    /// Inserts a new nested array at `index` and returns it.
    @discardableResult
    public func insertArray(at index: Int) throws(CRDTError) -> YArray { YArray(try insertType(.array, at: index)) }

    /// Inserts a new nested map at `index` and returns it.
    @discardableResult
    public func insertMap(at index: Int) throws(CRDTError) -> YMap { YMap(try insertType(.map, at: index)) }

    private func insertType(_ kind: SharedType.Kind, at index: Int) throws(CRDTError) -> SharedType {
        guard index >= 0, index <= type.length else { throw .indexOutOfBounds(index: index, length: type.length) }
        let nested = SharedType(kind: kind)
        let type = self.type
        doc.transact { transaction in type.insert(.type(nested), at: index, transaction, skipDeleted: false) }
        return nested
    }

    /// Deletes `count` elements from `index`.
    public func delete(at index: Int, count: Int = 1) throws(CRDTError) {
        guard index >= 0, count >= 0, index + count <= type.length else {
            throw .indexOutOfBounds(index: index + count, length: type.length)
        }
        guard count > 0 else { return }
        let type = self.type
        doc.transact { transaction in type.delete(at: index, count: count, transaction) }
    }

    /// Calls `handler` after every transaction that changed this array.
    @discardableResult
    public func observe(_ handler: @escaping (YEvent) -> Void) -> Observation { doc.addObserver(to: type, handler) }

    /// Calls `handler` after every transaction that changed this array or any type nested in it, with
    /// one event per changed type; each event's `path` leads from this array to the changed type.
    @discardableResult
    public func observeDeep(_ handler: @escaping ([YEvent]) -> Void) -> Observation {
        doc.addDeepObserver(to: type, handler)
    }

    /// Stops an observer registered with ``observe(_:)`` or ``observeDeep(_:)``.
    public func unobserve(_ observation: Observation) { doc.removeObserver(from: type, observation) }
}
