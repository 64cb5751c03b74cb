/// Presence for collaborative editing (`y-protocols/awareness`): each client's ephemeral state (cursor,
/// user name …) as JSON, with a clock per client so newer states win. Not part of the document.
///
/// ```swift
/// let awareness = Awareness(clientID: doc.clientID)
/// awareness.setLocalState(["user": ["name": "Ada"]])
/// send(ProtocolMessage.awareness(awareness.encodeUpdate()).encoded)
/// try awareness.applyUpdate(receivedBytes)
/// ```
public final class Awareness {
    /// A client's clock and when its state was last renewed.
    public struct Meta: Equatable, Sendable {
        /// Increases with every change of the client's state.
        public var clock: UInt64
        /// Milliseconds on the local clock when the state was last updated.
        public var lastUpdated: UInt64
    }

    /// What an applied update or local change did, by client id.
    public struct Change: Equatable, Sendable {
        /// Clients that appeared.
        public var added: [UInt64]
        /// Clients whose state changed.
        public var updated: [UInt64]
        /// Clients that went away.
        public var removed: [UInt64]
    }

    /// States older than this many milliseconds are removed by ``removeOutdated(now:)``; the local
    /// state should be renewed at half this interval (y-protocols uses 30 s).
    public static let outdatedTimeout: UInt64 = 30_000

    /// This replica's client id (normally the document's).
    public let clientID: UInt64
    /// The known states by client id.
    public private(set) var states: [UInt64: AnyValue] = [:]
    /// Clock and timestamp per client, also for removed clients (so stale updates stay ignored).
    public private(set) var meta: [UInt64: Meta] = [:]
    private var observers: [UInt64: (Change, String?) -> Void] = [:]
    private var nextObserver: UInt64 = 0
    private let now: () -> UInt64

    /// Creates awareness for `clientID`; `now` supplies milliseconds (injectable for tests).
    public init(clientID: UInt64, now: @escaping () -> UInt64 = Awareness.monotonicMilliseconds) {
        self.clientID = clientID
        self.now = now
        // As y-protocols does: an empty state at clock 0, so the first real state has clock 1 (peers
        // ignore clock 0 for clients they do not know).
        states[clientID] = .object([:])
        meta[clientID] = Meta(clock: 0, lastUpdated: now())
    }

    /// Milliseconds from a monotonic clock.
    public static func monotonicMilliseconds() -> UInt64 {
        let elapsed = ContinuousClock.now - Self.epoch
        return UInt64(max(0, elapsed.components.seconds)) * 1000
            + UInt64(max(0, elapsed.components.attoseconds) / 1_000_000_000_000_000)
    }

    private static let epoch = ContinuousClock.now

    /// This replica's state, or `nil` when it has none (offline).
    public var localState: AnyValue? { states[clientID] }

    /// Sets (or with `nil` or `.null` clears) this replica's state, increasing its clock.
    public func setLocalState(_ state: AnyValue?) {
        // On the wire a removed state is JSON `null`, so `.null` means removal too.
        let state = state == .null ? nil : state
        let clock = (meta[clientID]?.clock ?? 0) + (meta[clientID] == nil ? 0 : 1)
        let previous = states[clientID]
        if let state { states[clientID] = state } else { states[clientID] = nil }
        meta[clientID] = Meta(clock: clock, lastUpdated: now())
        var change = Change(added: [], updated: [], removed: [])
        if state == nil {
            if previous != nil { change.removed = [clientID] }
        } else if previous == nil {
            change.added = [clientID]
        } else if previous != state {
            change.updated = [clientID]
        }
        emit(change, origin: "local")
    }

    /// Encodes the states of `clients` (default: all known) as an awareness update: a `varUint` count,
    /// then per client its id, clock and state as JSON text (`"null"` for a removed client).
    public func encodeUpdate(clients: [UInt64]? = nil) -> [UInt8] {
        let ids = clients ?? Array(meta.keys).sorted()
        let known = ids.filter { meta[$0] != nil }
        var writer = BinaryWriter()
        writer.writeVarUint(known.count)
        for id in known {
            writer.writeVarUint(id)
            writer.writeVarUint(meta[id]?.clock ?? 0)
            writer.writeString(states[id].map(JSONText.encode) ?? "null")
        }
        return writer.bytes
    }

    /// Applies an awareness update from a peer; newer clocks win, `null` states remove a client.
    /// Malformed input throws and changes nothing.
    @discardableResult
    public func applyUpdate(_ update: [UInt8], origin: String? = nil) throws(CRDTError) -> Change {
        var reader = BinaryReader(update)
        let count = try reader.readCount()
        var entries: [(UInt64, UInt64, AnyValue?)] = []
        for _ in 0..<count {
            let id = try reader.readVarUint()
            let clock = try reader.readVarUint()
            let json = try JSONText.decode(try reader.readString())
            entries.append((id, clock, json == .null ? nil : json))
        }
        try reader.expectEnd()
        var change = Change(added: [], updated: [], removed: [])
        let time = now()
        for (id, clock, state) in entries {
            let current = meta[id]?.clock ?? 0
            let previous = states[id]
            // Equal clocks replace only a removal of a present client (y-protocols' rule).
            guard current < clock || (current == clock && state == nil && previous != nil) || meta[id] == nil else {
                continue
            }
            if state == nil && id == clientID && states[clientID] != nil {
                // A peer says we are gone; stay present with a newer clock.
                meta[id] = Meta(clock: clock + 1, lastUpdated: time)
                continue
            }
            if let state { states[id] = state } else { states[id] = nil }
            meta[id] = Meta(clock: clock, lastUpdated: time)
            if state == nil {
                if previous != nil { change.removed.append(id) }
            } else if previous == nil {
                change.added.append(id)
            } else if previous != state {
                change.updated.append(id)
            }
        }
        emit(change, origin: origin)
        return change
    }

    /// Removes the states of `clients` (for example when their connection closed).
    public func removeStates(of clients: [UInt64], origin: String? = nil) {
        var removed: [UInt64] = []
        for id in clients where states[id] != nil {
            states[id] = nil
            if id == clientID {
                meta[id] = Meta(clock: (meta[id]?.clock ?? 0) + 1, lastUpdated: now())
            }
            removed.append(id)
        }
        emit(Change(added: [], updated: [], removed: removed), origin: origin)
    }

    /// Removes remote states not renewed within ``outdatedTimeout``; returns the removed clients.
    @discardableResult
    public func removeOutdated(now time: UInt64? = nil) -> [UInt64] {
        let time = time ?? now()
        let outdated = states.keys.filter { id in
            id != clientID && time >= (meta[id]?.lastUpdated ?? 0) + Self.outdatedTimeout
        }.sorted()
        removeStates(of: outdated, origin: "timeout")
        return outdated
    }

    /// Calls `handler` with every change and its origin.
    @discardableResult
    public func observe(_ handler: @escaping (Change, String?) -> Void) -> Observation {
        nextObserver += 1
        observers[nextObserver] = handler
        return Observation(id: nextObserver)
    }

    /// Stops an observer.
    public func unobserve(_ observation: Observation) { observers[observation.id] = nil }

    private func emit(_ change: Change, origin: String?) {
        guard !(change.added.isEmpty && change.updated.isEmpty && change.removed.isEmpty) else { return }
        for handler in observers.sorted(by: { $0.key < $1.key }).map(\.value) { handler(change, origin) }
    }
}
