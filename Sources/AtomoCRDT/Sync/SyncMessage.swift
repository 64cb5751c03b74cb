/// A y-protocols sync message (`y-protocols/sync`): the handshake and the updates that follow it.
///
/// Two replicas sync by each sending ``step1(_:)`` with its state vector; each answers the other's step 1
/// with ``step2(_:)`` carrying what the other lacks; afterwards changes flow as ``update(_:)``.
///
/// ```swift
/// let hello = doc.syncStep1().encoded           // send to the peer
/// if let reply = try doc.handleSync(received) { // step 1 in, step 2 out
///     send(reply.encoded)
/// }
/// ```
public enum SyncMessage: Equatable, Sendable {
    /// Sync step 1: the sender's state vector.
    case step1(StateVector)
    /// Sync step 2: an update with everything the receiver's step 1 showed it lacks.
    case step2([UInt8])
    /// An incremental update.
    case update([UInt8])

    /// The message's type number (0, 1, 2).
    public var type: UInt64 {
        switch self {
        case .step1: 0
        case .step2: 1
        case .update: 2
        }
    }

    /// Decodes a sync message (without the outer y-websocket message type).
    public init(decoding bytes: [UInt8]) throws(CRDTError) {
        var reader = BinaryReader(bytes)
        self = try SyncMessage(reading: &reader)
        try reader.expectEnd()
    }

    init(reading reader: inout BinaryReader) throws(CRDTError) {
        let type = try reader.readVarUint()
        switch type {
        case 0: self = .step1(try StateVector(decoding: try reader.readBytes()))
        case 1: self = .step2(try reader.readBytes())
        case 2: self = .update(try reader.readBytes())
        default: throw .unknownMessageType(type)
        }
    }

    /// The binary form: `varUint` type, then the state vector or update as a length-prefixed byte array.
    public var encoded: [UInt8] {
        var writer = BinaryWriter()
        write(to: &writer)
        return writer.bytes
    }

    func write(to writer: inout BinaryWriter) {
        writer.writeVarUint(type)
        switch self {
        case .step1(let stateVector): writer.writeBytes(stateVector.encoded)
        case .step2(let update), .update(let update): writer.writeBytes(update)
        }
    }
}

extension Doc {
    /// Sync step 1 for this document: its state vector.
    public func syncStep1() -> SyncMessage { .step1(stateVector) }

    /// Handles a sync message from a peer and returns the reply to send, if any.
    ///
    /// A step 1 is answered with a step 2 holding what the peer lacks; a step 2 or an update is applied
    /// (with `origin`, so update observers can tell it from local changes) and needs no reply. Malformed
    /// updates throw and leave the document unchanged.
    public func handleSync(_ message: SyncMessage, origin: String? = nil) throws(CRDTError) -> SyncMessage? {
        switch message {
        case .step1(let stateVector): return .step2(encodeStateAsUpdate(since: stateVector))
        case .step2(let update), .update(let update):
            try applyUpdate(update, origin: origin)
            return nil
        }
    }
}
