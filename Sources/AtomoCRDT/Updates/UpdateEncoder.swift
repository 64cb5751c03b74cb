/// Writes a document's structs in update v1 form.
enum UpdateEncoder {
    static func writeItemHeader(
        reference: UInt8, origin: ID?, rightOrigin: ID?, parentSub: String?, to writer: inout BinaryWriter
    ) {
        var info = reference & 0x1F
        if origin != nil { info |= 0x80 }
        if rightOrigin != nil { info |= 0x40 }
        if parentSub != nil { info |= 0x20 }
        writer.writeByte(info)
        if let origin {
            writer.writeVarUint(origin.client)
            writer.writeVarUint(origin.clock)
        }
        if let rightOrigin {
            writer.writeVarUint(rightOrigin.client)
            writer.writeVarUint(rightOrigin.clock)
        }
    }

    /// Writes `item` from unit `offset` on.
    static func write(_ item: Item, offset: Int, to writer: inout BinaryWriter) {
        if item.isGC {
            writer.writeByte(0)
            writer.writeVarUint(item.length - offset)
            return
        }
        let origin = offset > 0 ? ID(client: item.client, clock: item.clock + offset - 1) : item.origin
        writeItemHeader(
            reference: item.content.reference, origin: origin, rightOrigin: item.rightOrigin, parentSub: item.parentSub,
            to: &writer)
        if origin == nil && item.rightOrigin == nil {
            if let parent = item.parent {
                if let parentItem = parent.item {
                    writer.writeVarUint(0)
                    writer.writeVarUint(parentItem.client)
                    writer.writeVarUint(parentItem.clock)
                } else {
                    writer.writeVarUint(1)
                    writer.writeString(parent.rootName ?? "")
                }
            }
            if let sub = item.parentSub { writer.writeString(sub) }
        }
        item.content.write(to: &writer, offset: offset)
    }

    /// Writes every struct of clients whose state exceeds `from` (missing clients count from 0),
    /// clients in descending order as Yjs writes them.
    static func writeStructs(
        _ store: StructStore, from state: [UInt64: Int], onlyListed: Bool = true, to writer: inout BinaryWriter
    ) {
        var entries: [(client: UInt64, clock: Int)] = []
        if onlyListed {
            for (client, clock) in state where store.state(of: client) > clock { entries.append((client, clock)) }
        } else {
            for (client, list) in store.clients where list.state > (state[client] ?? 0) {
                entries.append((client, state[client] ?? 0))
            }
        }
        entries.sort { $0.client > $1.client }
        writer.writeVarUint(entries.count)
        for (client, clock) in entries {
            guard let list = store.list(client) else { continue }
            let first = StructStore.index(of: clock, in: list.items)
            writer.writeVarUint(list.items.count - first)
            writer.writeVarUint(client)
            writer.writeVarUint(clock)
            let head = list.items[first]
            write(head, offset: clock - head.clock, to: &writer)
            for index in (first + 1)..<list.items.count { write(list.items[index], offset: 0, to: &writer) }
        }
    }
}
