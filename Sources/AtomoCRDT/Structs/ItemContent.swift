/// What an item holds. The cases and their reference numbers are Yjs's content types.
enum ItemContent {
    /// Deleted content of which only the length is kept (ref 1).
    case deleted(Int)
    /// Values serialised as JSON strings, `"undefined"` for undefined (ref 2, legacy).
    case json([String])
    /// One byte array (ref 3).
    case binary([UInt8])
    /// Text as UTF-16 code units (ref 4).
    case string([UInt16])
    /// One embedded JSON value in text (ref 5), kept as JSON text.
    case embed(String)
    /// A formatting mark in text (ref 6): attribute key and JSON value text.
    case format(key: String, value: String)
    /// A nested shared type (ref 7).
    case type(SharedType)
    /// lib0 `any` values (ref 8).
    case any([AnyValue])
    /// A sub-document (ref 9): its guid and options.
    case doc(guid: String, options: AnyValue)

    var reference: UInt8 {
        switch self {
        case .deleted: 1
        case .json: 2
        case .binary: 3
        case .string: 4
        case .embed: 5
        case .format: 6
        case .type: 7
        case .any: 8
        case .doc: 9
        }
    }

    var length: Int {
        switch self {
        case .deleted(let length): length
        case .json(let values): values.count
        case .string(let units): units.count
        case .any(let values): values.count
        case .binary, .embed, .format, .type, .doc: 1
        }
    }

    /// Whether the content counts towards its parent's length (deleted content and formats do not).
    var isCountable: Bool {
        switch self {
        case .deleted, .format: false
        default: true
        }
    }

    /// Splits at `offset`, keeping the left part and returning the right part.
    ///
    /// A text split between the halves of a surrogate pair keeps both halves as they are: they encode
    /// as U+FFFD (as JavaScript's `TextEncoder` does for Yjs) and read as U+FFFD. Unlike Yjs, the halves
    /// are not replaced at split time, because a split that is merged back in the same transaction
    /// would otherwise leave U+FFFD on this replica only, and replicas would diverge.
    mutating func split(at offset: Int) -> ItemContent {
        switch self {
        case .deleted(let length):
            self = .deleted(offset)
            return .deleted(length - offset)
        case .json(let values):
            self = .json(Array(values[..<offset]))
            return .json(Array(values[offset...]))
        case .any(let values):
            self = .any(Array(values[..<offset]))
            return .any(Array(values[offset...]))
        case .string(var units):
            self = .deleted(0)
            let right = Array(units[offset...])
            units.removeSubrange(offset...)
            self = .string(units)
            return .string(right)
        case .binary, .embed, .format, .type, .doc:
            // Length-one content is never split.
            return self
        }
    }

    /// The content from `offset` on, without changing `self`.
    func suffix(from offset: Int) -> ItemContent {
        if offset == 0 { return self }
        var copy = self
        return copy.split(at: offset)
    }

    /// Appends `other` when both are of a kind Yjs merges; returns whether it did.
    mutating func append(_ other: ItemContent) -> Bool {
        switch (self, other) {
        case (.deleted(let length), .deleted(let more)):
            self = .deleted(length + more)
        case (.string(var units), .string(let more)):
            self = .deleted(0)
            units.append(contentsOf: more)
            self = .string(units)
        case (.any(var values), .any(let more)):
            self = .deleted(0)
            values.append(contentsOf: more)
            self = .any(values)
        case (.json(var values), .json(let more)):
            self = .deleted(0)
            values.append(contentsOf: more)
            self = .json(values)
        default:
            return false
        }
        return true
    }

    /// Writes the content from `offset` on, in update v1 form.
    func write(to writer: inout BinaryWriter, offset: Int) {
        switch self {
        case .deleted(let length): writer.writeVarUint(length - offset)
        case .json(let values):
            writer.writeVarUint(values.count - offset)
            for value in values[offset...] { writer.writeString(value) }
        case .binary(let bytes): writer.writeBytes(bytes)
        case .string(let units): writer.writeString(utf16: units[offset...])
        case .embed(let json): writer.writeString(json)
        case .format(let key, let value):
            writer.writeString(key)
            writer.writeString(value)
        case .type(let type):
            writer.writeVarUint(UInt64(type.kind.rawValue))
            if type.kind == .xmlElement || type.kind == .xmlHook { writer.writeString(type.nodeName ?? "") }
        case .any(let values):
            writer.writeVarUint(values.count - offset)
            for value in values[offset...] { writer.writeAny(value) }
        case .doc(let guid, let options):
            writer.writeString(guid)
            writer.writeAny(options)
        }
    }

    /// Reads content of reference `reference` (2…9) in update v1 form.
    static func read(reference: UInt8, from reader: inout BinaryReader, at offset: Int) throws(CRDTError) -> ItemContent
    {
        switch reference {
        case 1: return .deleted(try reader.readInt())
        case 2:
            let count = try reader.readCount()
            var values: [String] = []
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(try reader.readString()) }
            return .json(values)
        case 3: return .binary(try reader.readBytes())
        case 4: return .string(try reader.readUTF16String())
        case 5: return .embed(try reader.readString())
        case 6:
            let key = try reader.readString()
            return .format(key: key, value: try reader.readString())
        case 7:
            let kindOffset = reader.offset
            let raw = try reader.readVarUint()
            guard raw <= 6, let kind = SharedType.Kind(rawValue: UInt8(raw)) else {
                throw .unknownContentReference(reference: 7, offset: kindOffset)
            }
            let type = SharedType(kind: kind)
            if kind == .xmlElement || kind == .xmlHook { type.nodeName = try reader.readString() }
            return .type(type)
        case 8:
            let count = try reader.readCount()
            var values: [AnyValue] = []
            values.reserveCapacity(count)
            for _ in 0..<count { values.append(try reader.readAny()) }
            return .any(values)
        case 9:
            let guid = try reader.readString()
            return .doc(guid: guid, options: try reader.readAny())
        default: throw .unknownContentReference(reference: reference, offset: offset)
        }
    }
}

extension [UInt16] {
    /// Appends an item's text, reading a surrogate half left alone at the item's edge by a split as
    /// U+FFFD, which is what every replica that receives the item encoded will hold there. Without this,
    /// halves in neighbouring items would read as the original character on some replicas only.
    mutating func appendReadable(_ units: [UInt16]) {
        guard let first = units.first, let last = units.last else { return }
        if UTF16.isTrailSurrogate(first) || UTF16.isLeadSurrogate(last) {
            var copy = units
            if UTF16.isTrailSurrogate(first) { copy[0] = 0xFFFD }
            if UTF16.isLeadSurrogate(last) { copy[copy.count - 1] = 0xFFFD }
            append(contentsOf: copy)
        } else {
            append(contentsOf: units)
        }
    }
}
