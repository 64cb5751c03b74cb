/// SplitMix64: a small deterministic random number generator, so that a randomized test that fails
/// can be replayed from its seed.
///
/// ```swift
/// var random = SeededGenerator(seed: 42)
/// let count = Int.random(in: 1...10, using: &random)
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    /// The generator's whole state; the next value depends only on it.
    public var state: UInt64

    /// A generator whose sequence is determined by `seed`.
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    /// A generator that continues from `state` (a state read from another generator, or a raw seed).
    public init(state: UInt64) { self.state = state }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
