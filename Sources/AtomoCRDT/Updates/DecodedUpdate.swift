/// An update v1 decoded into structs per client and a delete set, fully validated, touching no document.
struct DecodedUpdate {
    /// Structs per client, in clock order.
    var structs: [UInt64: [WireStruct]] = [:]
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
            if !list.isEmpty { structs[client, default: []].append(contentsOf: list) }
        }
        deleteSet = try DeleteSet(reading: &reader)
        try reader.expectEnd()
        for (client, list) in structs where list.count > 1 {
            for index in 1..<list.count where list[index].clock < list[index - 1].clock {
                structs[client] = list.sorted { $0.clock < $1.clock }
                break
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
        let clients = structs.filter { !$0.value.isEmpty }.sorted { $0.key > $1.key }
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
