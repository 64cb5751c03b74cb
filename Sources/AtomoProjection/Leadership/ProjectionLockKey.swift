/// The 64-bit key of a projector's leadership lock, the same in every process and on every platform.
///
/// PostgreSQL advisory locks take a `bigint`; every runner of a projector must ask for the same one.
/// The key is FNV-1a (64-bit) of `"atomo_projection:" + name` in UTF-8, as a signed integer — stable
/// across processes, versions and architectures (unlike `Hasher`, which is seeded per process).
///
/// ```swift
/// let key = ProjectionLockKey.forProjector("contacts")
/// // SELECT pg_try_advisory_lock($1)   with   [.integer(key)]
/// ```
public enum ProjectionLockKey {
    /// The lock key of the projector named `name`.
    public static func forProjector(_ name: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "atomo_projection:\(name)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
