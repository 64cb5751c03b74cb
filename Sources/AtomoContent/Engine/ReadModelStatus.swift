public import AtomoProjection

/// Where one entity's read model stands: what a readiness check or a dashboard needs.
///
/// ```swift
/// let head = try await store.headPosition()
/// let ready = try await engine.readModelStatus().allSatisfy { $0.checkpoint >= head }
/// ```
public struct ReadModelStatus: Sendable, Hashable {
    /// The entity.
    public var entity: String
    /// The live version's projector (`content.<Entity>@v<n>`), under which its checkpoint is stored.
    public var projector: String
    /// The stored checkpoint: the global position up to which the live table has applied the log,
    /// whichever process applied it (on PostgreSQL, the node holding the projector's lock).
    public var checkpoint: Int64
    /// This process's runner of the live version; on PostgreSQL it may be in `standby` while another
    /// node applies.
    public var runner: ProjectionHealth?

    /// Creates a status.
    public init(entity: String, projector: String, checkpoint: Int64, runner: ProjectionHealth?) {
        self.entity = entity
        self.projector = projector
        self.checkpoint = checkpoint
        self.runner = runner
    }
}
