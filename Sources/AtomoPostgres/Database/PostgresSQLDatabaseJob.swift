import AtomoSQL

/// One transaction waiting for a thread of a ``PostgresSQLDatabase``.
struct PostgresSQLDatabaseJob: Sendable {
    /// Whether to open a read-only, repeatable-read transaction.
    let readOnly: Bool
    /// Runs the body inside the open transaction; returns what to do once it has committed.
    let run: @Sendable (any SQLConnection) throws -> @Sendable () -> Void
    /// Reports a failure (the body's error, a failed BEGIN/COMMIT, a lost connection, a closed database).
    let fail: @Sendable (any Error) -> Void
}
