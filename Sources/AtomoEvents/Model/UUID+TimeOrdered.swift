public import Foundation
import Synchronization

extension UUID {
    /// A new time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, then a counter
    /// that keeps ids from this process strictly increasing within a millisecond, then random bits.
    ///
    /// Event ids that increase with time land next to each other in the store's unique index, so
    /// each commit touches few index pages; random (v4) ids scatter them and slow inserts several fold.
    public static func timeOrdered() -> UUID {
        TimeOrderedUUIDGenerator.shared.next()
    }
}

/// Generates v7 UUIDs: monotonic within the process, random across processes.
final class TimeOrderedUUIDGenerator: Sendable {
    static let shared = TimeOrderedUUIDGenerator()

    private struct State {
        var lastMilliseconds: UInt64 = 0
        var counter: UInt16 = 0
        var random: UInt64
    }

    private let state: Mutex<State>

    private init() {
        var generator = SystemRandomNumberGenerator()
        state = Mutex(State(random: generator.next()))
    }

    func next() -> UUID {
        var now = UInt64(Date().timeIntervalSince1970 * 1000)
        let (milliseconds, counter, random) = state.withLock { state -> (UInt64, UInt16, UInt64) in
            if now <= state.lastMilliseconds {
                // Same millisecond (or the clock stepped back): count up; on overflow borrow the next ms.
                now = state.lastMilliseconds
                if state.counter == 0x0FFF {
                    now += 1
                    state.counter = 0
                } else {
                    state.counter += 1
                }
            } else {
                state.counter = 0
            }
            state.lastMilliseconds = now
            // SplitMix64 over a random seed: uniqueness within the process comes from the
            // (time, counter) prefix; these bits only need to differ between processes.
            state.random &+= 0x9E37_79B9_7F4A_7C15
            var z = state.random
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return (now, state.counter, z ^ (z >> 31))
        }
        let bytes: uuid_t = (
            UInt8(truncatingIfNeeded: milliseconds >> 40), UInt8(truncatingIfNeeded: milliseconds >> 32),
            UInt8(truncatingIfNeeded: milliseconds >> 24), UInt8(truncatingIfNeeded: milliseconds >> 16),
            UInt8(truncatingIfNeeded: milliseconds >> 8), UInt8(truncatingIfNeeded: milliseconds),
            0x70 | UInt8(counter >> 8), UInt8(truncatingIfNeeded: counter),
            0x80 | UInt8(truncatingIfNeeded: random >> 58), UInt8(truncatingIfNeeded: random >> 48),
            UInt8(truncatingIfNeeded: random >> 40), UInt8(truncatingIfNeeded: random >> 32),
            UInt8(truncatingIfNeeded: random >> 24), UInt8(truncatingIfNeeded: random >> 16),
            UInt8(truncatingIfNeeded: random >> 8), UInt8(truncatingIfNeeded: random)
        )
        return UUID(uuid: bytes)
    }
}
