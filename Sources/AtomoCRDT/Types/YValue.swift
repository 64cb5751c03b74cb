/// A value read from a shared type: plain data or a nested shared type.
public enum YValue: Equatable {
    /// Plain data (numbers, strings, objects …).
    case any(AnyValue)
    /// A nested text.
    case text(YText)
    /// A nested array.
    case array(YArray)
    /// A nested map.
    case map(YMap)
    /// A nested type Atomo reads only as data (XML kinds); `toJSON` gives its content.
    case other(AnyValue)
    /// A sub-document, by guid.
    case subdocument(guid: String)

    /// The value as plain data: nested types become their JSON form.
    public var json: AnyValue { json(depth: 0) }

    func json(depth: Int) -> AnyValue {
        switch self {
        case .any(let value): value
        case .text(let text): .string(text.string)
        case .array(let array): array.type.json(depth: depth)
        case .map(let map): map.type.json(depth: depth)
        case .other(let value): value
        case .subdocument(let guid): .object(["guid": .string(guid)])
        }
    }

    static func values(of item: Item) -> [YValue] {
        switch item.content {
        case .any(let values): return values.map { .any($0) }
        case .json(let texts): return texts.map { .any((try? JSONText.decode($0)) ?? .undefined) }
        case .binary(let bytes): return [.any(.bytes(bytes))]
        case .string(let units):
            var readable: [UInt16] = []
            readable.appendReadable(units)
            return [.any(.string(String(decoding: readable, as: UTF16.self)))]
        case .embed(let json): return [.any((try? JSONText.decode(json)) ?? .null)]
        case .type(let type): return [YValue(type)]
        case .doc(let guid, _): return [.subdocument(guid: guid)]
        case .deleted, .format: return []
        }
    }

    init(_ type: SharedType, depth: Int = 0) {
        switch type.kind {
        case .text: self = .text(YText(type))
        case .array: self = .array(YArray(type))
        case .map: self = .map(YMap(type))
        default: self = .other(type.json(depth: depth))
        }
    }
}

extension SharedType {
    /// Types nested deeper than this read as `.null` in JSON, so that a hostile update with thousands
    /// of nested types cannot exhaust the stack of whoever reads it.
    static let maximumJSONDepth = 200

    /// The JSON form of this type's content (Yjs `toJSON`).
    func json(depth: Int) -> AnyValue {
        guard depth < Self.maximumJSONDepth else { return .null }
        switch kind {
        case .text, .xmlText: return .string(YText(self).string)
        case .array, .xmlFragment: return listJSON(depth: depth)
        case .map: return mapJSON(depth: depth)
        case .xmlElement, .xmlHook, .unspecified:
            // A root only seen in updates has no kind on the wire: read it by what it holds.
            var current = start
            while let item = current {
                switch item.content {
                case .string, .format, .embed: return .string(YText(self).string)
                case .deleted: current = item.right
                default: return listJSON(depth: depth)
                }
            }
            return mapJSON(depth: depth)
        }
    }

    private func nestedJSON(of item: Item, depth: Int) -> [AnyValue] {
        if case .type(let nested) = item.content { return [nested.json(depth: depth + 1)] }
        return YValue.values(of: item).map { $0.json(depth: depth + 1) }
    }

    func listJSON(depth: Int) -> AnyValue {
        .array(visibleItems.flatMap { nestedJSON(of: $0, depth: depth) })
    }

    func mapJSON(depth: Int) -> AnyValue {
        var object: [String: AnyValue] = [:]
        for (key, item) in map where !item.isDeleted {
            if let value = nestedJSON(of: item, depth: depth).last { object[key] = value }
        }
        return .object(object)
    }
}
