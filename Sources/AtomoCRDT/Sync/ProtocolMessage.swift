/// A message of the y-websocket protocol family: a `varUint` message type, then its payload.
///
/// This is the framing Yjs providers (y-websocket, Hocuspocus, pycrdt-websocket, yrs's `sync`) put on
/// the wire: `0` sync, `1` awareness, `2` auth, `3` query awareness.
public enum ProtocolMessage: Equatable, Sendable {
    /// A sync message.
    case sync(SyncMessage)
    /// An awareness update (see ``Awareness``), as bytes.
    case awareness([UInt8])
    /// Authentication was denied, with the reason.
    case permissionDenied(reason: String)
    /// A request for the receiver's awareness states.
    case queryAwareness

    /// Decodes one message.
    public init(decoding bytes: [UInt8]) throws(CRDTError) {
        var reader = BinaryReader(bytes)
        let type = try reader.readVarUint()
        switch type {
        case 0: self = .sync(try SyncMessage(reading: &reader))
        case 1: self = .awareness(try reader.readBytes())
        case 2:
            let authType = try reader.readVarUint()
            guard authType == 0 else { throw .unknownMessageType(authType) }
            self = .permissionDenied(reason: try reader.readString())
        case 3: self = .queryAwareness
        default: throw .unknownMessageType(type)
        }
        try reader.expectEnd()
    }

    /// The binary form.
    public var encoded: [UInt8] {
        var writer = BinaryWriter()
        switch self {
        case .sync(let message):
            writer.writeVarUint(0)
            message.write(to: &writer)
        case .awareness(let update):
            writer.writeVarUint(1)
            writer.writeBytes(update)
        case .permissionDenied(let reason):
            writer.writeVarUint(2)
            writer.writeVarUint(0)
            writer.writeString(reason)
        case .queryAwareness:
            writer.writeVarUint(3)
        }
        return writer.bytes
    }
}
