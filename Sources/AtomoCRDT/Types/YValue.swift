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
    public var json: AnyValue {
        switch self {
        case .any(let value): value
        case .text(let text): .string(text.string)
        case .array(let array): array.json
        case .map(let map): map.json
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

    init(_ type: SharedType) {
        switch type.kind {
        case .text: self = .text(YText(type))
        case .array: self = .array(YArray(type))
        case .map: self = .map(YMap(type))
        default: self = .other(type.json)
        }
    }
}

extension SharedType {
    /// The JSON form of this type's content (Yjs `toJSON`).
    var json: AnyValue {
        switch kind {
        case .text, .xmlText: return .string(YText(self).string)
        case .array, .xmlFragment: return YArray(self).json
        case .map: return YMap(self).json
        case .xmlElement, .xmlHook, .unspecified:
            // A root only seen in updates has no kind on the wire: read it by what it holds.
            var current = start
            while let item = current {
                switch item.content {
                case .string, .format, .embed: return .string(YText(self).string)
                case .deleted: current = item.right
                default: return YArray(self).json
                }
            }
            return YMap(self).json
        }
    }
}
