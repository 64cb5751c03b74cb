/// Shared text with formatting attributes (Yjs `Y.Text`).
///
/// **Index units.** Every index and length is in **UTF-16 code units**, as in Yjs, yrs and the wire
/// format, so positions agree with JavaScript peers. Use ``utf16Offset(unicodeScalarOffset:in:)``,
/// ``utf16Offset(utf8Offset:in:)`` and their inverses to convert from other units (pycrdt, for example,
/// counts UTF-8 bytes).
///
/// ```swift
/// let doc = Doc()
/// let text = doc.getText("body")
/// try text.insert("Hello world", at: 0)
/// try text.format(at: 0, count: 5, attributes: ["bold": true])
/// text.string  // "Hello world"
/// ```
public struct YText: Equatable {
    let type: SharedType

    init(_ type: SharedType) { self.type = type }

    /// Two views are equal when they show the same shared type.
    public static func == (lhs: YText, rhs: YText) -> Bool { lhs.type === rhs.type }

    var doc: Doc {
        guard let doc = type.doc else { preconditionFailure("the Doc of this YText was deallocated") }
        return doc
    }

    /// The length in UTF-16 code units.
    public var length: Int { type.length }

    /// The text without formatting.
    public var string: String {
        var units: [UInt16] = []
        units.reserveCapacity(type.length)
        var current = type.start
        while let item = current {
            if !item.isDeleted, case .string(let run) = item.content { units.appendReadable(run) }
            current = item.right
        }
        return String(decoding: units, as: UTF16.self)
    }

    /// Inserts `text` at UTF-16 offset `index`.
    ///
    /// Without `attributes` the text takes the formatting at `index`; with them it gets exactly those.
    public func insert(_ text: String, at index: Int, attributes: [String: AnyValue]? = nil) throws(CRDTError) {
        guard !text.isEmpty else { return }
        try insert(.string(Array(text.utf16)), at: index, attributes: attributes)
    }

    /// Inserts an embedded value (an image, a mention …) of length 1 at `index`.
    public func insertEmbed(_ value: AnyValue, at index: Int, attributes: [String: AnyValue]? = nil) throws(CRDTError) {
        try insert(.embed(JSONText.encode(value)), at: index, attributes: attributes)
    }

    private func insert(_ content: ItemContent, at index: Int, attributes: [String: AnyValue]?) throws(CRDTError) {
        guard index >= 0, index <= type.length else { throw .indexOutOfBounds(index: index, length: type.length) }
        let type = self.type
        doc.transact { transaction in
            if !type.hasFormatting && (attributes ?? [:]).isEmpty {
                type.insert(content, at: index, transaction, skipDeleted: true)
            } else {
                var position = TextPosition(type: type, index: index, transaction)
                var attributes = attributes ?? position.attributes
                position.insert(content, attributes: &attributes, transaction)
            }
        }
    }

    /// Deletes `count` UTF-16 code units starting at `index`.
    public func delete(at index: Int, count: Int) throws(CRDTError) {
        guard index >= 0, count >= 0, index + count <= type.length else {
            throw .indexOutOfBounds(index: index + count, length: type.length)
        }
        guard count > 0 else { return }
        let type = self.type
        doc.transact { transaction in type.delete(at: index, count: count, transaction) }
    }

    /// Sets formatting `attributes` on `count` units from `index`; a `.null` value removes an attribute.
    public func format(at index: Int, count: Int, attributes: [String: AnyValue]) throws(CRDTError) {
        guard index >= 0, count >= 0, index + count <= type.length else {
            throw .indexOutOfBounds(index: index + count, length: type.length)
        }
        guard count > 0, !attributes.isEmpty else { return }
        let type = self.type
        doc.transact { transaction in
            var position = TextPosition(type: type, index: index, transaction)
            position.format(count: count, attributes: attributes, transaction)
        }
    }

    /// A run of the rich-text content: text (or one embed) with its formatting.
    public struct Run: Equatable {
        /// The inserted text, or an embed's value.
        public var insert: YValue
        /// The formatting attributes of the run.
        public var attributes: [String: AnyValue]

        /// Creates a run.
        public init(insert: YValue, attributes: [String: AnyValue] = [:]) {
            self.insert = insert
            self.attributes = attributes
        }
    }

    /// The content as formatted runs (Yjs `toDelta`).
    public var delta: [Run] {
        var runs: [Run] = []
        var attributes: [String: AnyValue] = [:]
        var pending: [UInt16] = []
        func flush() {
            if !pending.isEmpty {
                runs.append(
                    Run(insert: .any(.string(String(decoding: pending, as: UTF16.self))), attributes: attributes))
                pending.removeAll()
            }
        }
        var current = type.start
        while let item = current {
            current = item.right
            guard !item.isDeleted else { continue }
            switch item.content {
            case .string(let units): pending.appendReadable(units)
            case .format(let key, let value):
                flush()
                let decoded = (try? JSONText.decode(value)) ?? .null
                if decoded == .null { attributes[key] = nil } else { attributes[key] = decoded }
            case .embed, .type:
                flush()
                runs.append(Run(insert: YValue.values(of: item).first ?? .any(.null), attributes: attributes))
            default: break
            }
        }
        flush()
        return runs
    }

    /// Calls `handler` after every transaction that changed this text.
    @discardableResult
    public func observe(_ handler: @escaping (YEvent) -> Void) -> Observation {
        doc.addObserver(to: type, handler)
    }

    /// Calls `handler` after every transaction that changed this text or any type nested in it, with
    /// one event per changed type; each event's `path` leads from this text to the changed type.
    @discardableResult
    public func observeDeep(_ handler: @escaping ([YEvent]) -> Void) -> Observation {
        doc.addDeepObserver(to: type, handler)
    }

    /// Stops an observer registered with ``observe(_:)`` or ``observeDeep(_:)``.
    public func unobserve(_ observation: Observation) {
        doc.removeObserver(from: type, observation)
    }

    /// The UTF-16 offset of the `offset`-th Unicode scalar (code point) of `string`.
    public static func utf16Offset(unicodeScalarOffset offset: Int, in string: String) -> Int {
        let scalars = string.unicodeScalars
        let index = scalars.index(scalars.startIndex, offsetBy: offset, limitedBy: scalars.endIndex) ?? scalars.endIndex
        return string.utf16.distance(from: string.utf16.startIndex, to: index)
    }

    /// The Unicode scalar (code point) offset of UTF-16 offset `offset` in `string`.
    public static func unicodeScalarOffset(utf16Offset offset: Int, in string: String) -> Int {
        let utf16 = string.utf16
        let index = utf16.index(utf16.startIndex, offsetBy: offset, limitedBy: utf16.endIndex) ?? utf16.endIndex
        return string.unicodeScalars.distance(from: string.unicodeScalars.startIndex, to: index)
    }

    /// The UTF-16 offset of UTF-8 byte offset `offset` in `string` (pycrdt and yrs with
    /// `OffsetKind::Bytes` count UTF-8 bytes).
    public static func utf16Offset(utf8Offset offset: Int, in string: String) -> Int {
        let utf8 = string.utf8
        let index = utf8.index(utf8.startIndex, offsetBy: offset, limitedBy: utf8.endIndex) ?? utf8.endIndex
        return string.utf16.distance(from: string.utf16.startIndex, to: index)
    }

    /// The UTF-8 byte offset of UTF-16 offset `offset` in `string`.
    public static func utf8Offset(utf16Offset offset: Int, in string: String) -> Int {
        let utf16 = string.utf16
        let index = utf16.index(utf16.startIndex, offsetBy: offset, limitedBy: utf16.endIndex) ?? utf16.endIndex
        return string.utf8.distance(from: string.utf8.startIndex, to: index)
    }

    /// The UTF-16 offset of a `String.Index` of `string`.
    public static func utf16Offset(of index: String.Index, in string: String) -> Int {
        string.utf16.distance(from: string.utf16.startIndex, to: index)
    }
}
