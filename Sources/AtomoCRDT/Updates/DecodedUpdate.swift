/// An update v1 decoded into structs per client and a delete set, fully validated, touching no document.
struct DecodedUpdate {
    /// Structs per client (each client once), in clock order. An array rather than a dictionary:
    /// most updates carry one client, and this is decoded once per update on the hot path.
    var structs: [(client: UInt64, structs: [WireStruct])] = []
    var deleteSet = DeleteSet()

    init() {}

    /// Decodes and validates `bytes`; throws on any malformed input.
    init(decoding bytes: [UInt8]) throws(CRDTError) {
        var reader = BinaryReader(bytes)
        let clientCount = try reader.readCount()
        for _ in 0..<clientCount {
            let structCount = try reader.readCount()
            let client = try reader.readVarUint()
            var clock = try reader.readInt()
            var list: [WireStruct] = []
            list.reserveCapacity(structCount)
            for _ in 0..<structCount {
                let infoOffset = reader.offset
                let info = try reader.readByte()
                let reference = info & 0x1F
                var wire: WireStruct
                switch reference {
                case 0, 10:
                    let length = try reader.readInt()
                    wire = WireStruct(kind: reference == 0 ? .gc : .skip, client: client, clock: clock, length: length)
                default:
                    let origin = info & 0x80 != 0 ? try Self.readID(&reader) : nil
                    let rightOrigin = info & 0x40 != 0 ? try Self.readID(&reader) : nil
                    var parent: WireStruct.Parent?
                    var parentSub: String?
                    if info & 0xC0 == 0 {
                        if try reader.readVarUint() == 1 {
                            parent = .root(try reader.readString())
                        } else {
                            parent = .item(try Self.readID(&reader))
                        }
                        if info & 0x20 != 0 { parentSub = try reader.readString() }
                    }
                    let content = try ItemContent.read(reference: reference, from: &reader, at: infoOffset)
                    wire = WireStruct(
                        kind: .item, client: client, clock: clock, length: content.length, origin: origin,
                        rightOrigin: rightOrigin, parent: parent, parentSub: parentSub, content: content)
                }
                guard wire.length > 0, wire.length < (1 << 53), clock < (1 << 53) - wire.length else {
                    throw .invalidStructLength(client: client, clock: clock)
                }
                clock += wire.length
                list.append(wire)
            }
            if !list.isEmpty { structs.append((client, list)) }
        }
        deleteSet = try DeleteSet(reading: &reader)
        try reader.expectEnd()
        if structs.count > 1 {
            // A client may (unusually) appear in several blocks: join them.
            var seen: [UInt64: Int] = [:]
            var joined: [(client: UInt64, structs: [WireStruct])] = []
            for (client, list) in structs {
                if let index = seen[client] {
                    joined[index].structs.append(contentsOf: list)
                } else {
                    seen[client] = joined.count
                    joined.append((client, list))
                }
            }
            structs = joined
        }
        for index in structs.indices where structs[index].structs.count > 1 {
            let list = structs[index].structs
            if zip(list, list.dropFirst()).contains(where: { $0.clock > $1.clock }) {
                structs[index].structs = list.sorted { $0.clock < $1.clock }
            }
        }
    }

    static func readID(_ reader: inout BinaryReader) throws(CRDTError) -> ID {
        let client = try reader.readVarUint()
        return ID(client: client, clock: try reader.readInt())
    }

    /// Encodes the structs (clients in descending order) and the delete set.
    var encoded: [UInt8] {
        var writer = BinaryWriter()
        let clients = structs.filter { !$0.structs.isEmpty }.sorted { $0.client > $1.client }
        writer.writeVarUint(clients.count)
        for (client, list) in clients {
            writer.writeVarUint(list.count)
            writer.writeVarUint(client)
            writer.writeVarUint(list[0].clock)
            for wire in list { wire.write(to: &writer, offset: 0) }
        }
        deleteSet.write(to: &writer)
        return writer.bytes
    }
}
