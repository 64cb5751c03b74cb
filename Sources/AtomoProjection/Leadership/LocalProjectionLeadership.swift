import Synchronization

/// Leadership within one process: at most one runner per projector name among the runners that
/// share this object. For tests and single-process hosts; across processes use the PostgreSQL
/// advisory-lock leadership from AtomoPostgres.
///
/// ```swift
/// let leadership = LocalProjectionLeadership()
/// var configuration = ProjectionRunner.Configuration()
/// configuration.leadership = leadership
/// ```
public final class LocalProjectionLeadership: ProjectionLeadership {
    private let holders = Mutex<[String: Int]>([:])
    private let nextToken = Atomic<Int>(0)

    /// Creates an empty set of leases.
    public init() {}

    /// Acquires the lease of `projector` when nobody holds it.
    public func tryAcquire(_ projector: String) async throws -> (any ProjectionLease)? {
        let token = nextToken.add(1, ordering: .relaxed).newValue
        let acquired = holders.withLock { holders -> Bool in
            guard holders[projector] == nil else { return false }
            holders[projector] = token
            return true
        }
        return acquired ? Lease(owner: self, projector: projector, token: token) : nil
    }

    /// Takes the lease of `projector` away from its holder (simulates a lost lock in tests).
    public func revoke(_ projector: String) {
        _ = holders.withLock { $0.removeValue(forKey: projector) }
    }

    fileprivate func holds(_ projector: String, token: Int) -> Bool {
        holders.withLock { $0[projector] == token }
    }

    fileprivate func release(_ projector: String, token: Int) {
        holders.withLock { holders in
            if holders[projector] == token { holders[projector] = nil }
        }
    }

    private struct Lease: ProjectionLease {
        let owner: LocalProjectionLeadership
        let projector: String
        let token: Int

        var isHeld: Bool { owner.holds(projector, token: token) }

        func release() async { owner.release(projector, token: token) }
    }
}
