/// A struct as it travels in an update, before (or without) integration into a document.
struct WireStruct {
    enum Kind { case gc, skip, item }
    /// Where an item without origins belongs.
    enum Parent: Equatable {
        /// A root type by name.
        case root(String)
        /// The type held by the item with this id.
        case item(ID)
    }

    var kind: Kind
    var client: UInt64
    var clock: Int
    var length: Int
    var origin: ID?
    var rightOrigin: ID?
    var parent: Parent?
    var parentSub: String?
    var content: ItemContent?

    var end: Int { clock + length }

    /// The part from `offset` on (0 < offset < length), as Yjs slices structs.
    func suffix(from offset: Int) -> WireStruct {
        var copy = self
        copy.clock += offset
        copy.length -= offset
        if kind == .item {
            copy.origin = ID(client: client, clock: clock + offset - 1)
            copy.content = content?.suffix(from: offset)
        }
        return copy
    }

    /// The part before `offset` (0 < offset < length).
    func prefix(_ offset: Int) -> WireStruct {
        var copy = self
        copy.length = offset
        if kind == .item, var content {
            _ = content.split(at: offset)
            copy.content = content
            copy.rightOrigin = rightOrigin
        }
        return copy
    }

    func write(to writer: inout BinaryWriter, offset: Int) {
        switch kind {
        case .gc:
            writer.writeByte(0)
            writer.writeVarUint(length - offset)
        case .skip:
            writer.writeByte(10)
            writer.writeVarUint(length - offset)
        case .item:
            guard let content else { return }
            let origin = offset > 0 ? ID(client: client, clock: clock + offset - 1) : self.origin
            UpdateEncoder.writeItemHeader(
                reference: content.reference, origin: origin, rightOrigin: rightOrigin, parentSub: parentSub,
                to: &writer)
            if origin == nil && rightOrigin == nil {
                switch parent {
                case .root(let name):
                    writer.writeVarUint(1)
                    writer.writeString(name)
                case .item(let id):
                    writer.writeVarUint(0)
                    writer.writeVarUint(id.client)
                    writer.writeVarUint(id.clock)
                case nil:
                    writer.writeVarUint(1)
                    writer.writeString("")
                }
                if let parentSub { writer.writeString(parentSub) }
            }
            content.write(to: &writer, offset: offset)
        }
    }
}
