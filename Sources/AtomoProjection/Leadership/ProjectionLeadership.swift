/// Decides which runner, among processes or nodes, may apply a projector: at most one at a time.
///
/// A ``ProjectionRunner`` with a leadership asks for a lease before it loads its checkpoint and
/// stays in ``ProjectionHealth/State/standby`` until it gets one; between batches it checks that
/// the lease is still held and returns to standby when it is not. AtomoPostgres implements this
/// with `pg_try_advisory_lock` on a dedicated session: the lock goes away with the session when its
/// holder dies, and a standby runner takes over. ``LocalProjectionLeadership`` does the same
/// within one process.
///
/// Leadership avoids wasted work; correctness does not depend on it alone: ``SQLProjector``
/// checkpoints are compare-and-set, so a runner that lost its lease without noticing cannot
/// commit a batch over another runner's.
public protocol ProjectionLeadership: Sendable {
    /// Tries to become the one runner of `projector`; returns the lease, or nil when another holds it.
    func tryAcquire(_ projector: String) async throws -> (any ProjectionLease)?
}

/// Held leadership of one projector.
public protocol ProjectionLease: Sendable {
    /// Whether the lease is still held (false once the lock's session is gone).
    var isHeld: Bool { get }

    /// Gives the lease up.
    func release() async
}
