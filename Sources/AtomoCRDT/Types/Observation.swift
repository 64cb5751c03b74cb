/// A registered observer; pass it to the matching `unobserve` to stop observing.
public struct Observation: Hashable, Sendable {
    let id: UInt64
}
