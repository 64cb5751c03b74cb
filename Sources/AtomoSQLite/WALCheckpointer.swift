import AtomoSQL
internal import CSQLite
import Synchronization

/// Runs WAL checkpoints on a thread and connection of its own, off the writer's path.
///
/// By default SQLite checkpoints inside the commit that grows the WAL past 1000 pages, on the
/// committing thread: that commit then reads every page back from the WAL, writes it into the
/// database file and syncs twice, and every write queued behind it waits. Measured with appends of
/// 100 events, that is about a third of the writer's time (`Benchmarks/README.md`).
///
/// Instead the writer connection's WAL hook calls ``walDidCommit(frames:)`` after each commit; each
/// time the WAL has grown by ``softLimitFrames`` since the last request, it asks this checkpointer
/// for a `PASSIVE` checkpoint, which copies pages while the writer keeps committing (SQLite allows
/// one checkpointer beside one writer), and the writer restarts the WAL from its beginning once
/// everything is copied. (Asking after every commit past the limit kept the checkpointer running
/// back to back: each checkpoint copies the latest version of every page in the WAL and syncs
/// twice, so small ones copy the same hot pages again and again. In the content benchmark that was
/// about 530 checkpoints and 1,070 `fdatasync` calls per 20,000 creates; now it is about 145 and
/// 290, most of them in the last stretch before the hard limit.) While the writer keeps
/// committing, the WAL is seldom fully copied at the moment a transaction starts, so past
/// ``hardLimitFrames`` the hook checkpoints on the writer itself — quickly, since the checkpointer
/// already copied most frames — and the WAL restarts. (That checkpoint gives way when the
/// checkpointer is busy, and is tried again at the next commit.) The cost is disk space: under
/// sustained bulk appends the WAL file grew to about 40 MiB in `Benchmarks/`, where SQLite's
/// automatic checkpoint keeps it near 4 MiB. Durability is unchanged: a checkpoint syncs exactly as
/// an automatic one does.
final class WALCheckpointer: Sendable {
    /// WAL frames (pages) after which a background checkpoint is requested: SQLite's own default.
    static let softLimitFrames: Int32 = 1000
    /// WAL frames after which the writer checkpoints itself, which lets the WAL restart.
    static let hardLimitFrames: Int32 = 4000

    private let thread: BlockingThreads<SQLiteConnection>
    /// Whether a checkpoint job is queued and not yet started: at most one waits at a time.
    private let isQueued = Atomic<Bool>(false)
    /// The WAL's frame count when the last checkpoint was requested (0 after a restart).
    private let requestedAt = Atomic<Int32>(0)

    /// Starts the checkpointer's thread, which owns `connection` (a read-write connection to the file).
    init(connection: SQLiteConnection) {
        thread = BlockingThreads(name: "atomo-sql-c", resources: [connection], stackSize: SQLiteDatabase.stackSize)
    }

    /// Called by the writer's WAL hook, on the writer's thread, after every commit.
    ///
    /// - Returns: whether the writer must checkpoint itself now (the WAL reached the hard limit).
    func walDidCommit(frames: Int32) -> Bool {
        // Only the writer's thread calls this: plain loads and stores suffice.
        var requested = requestedAt.load(ordering: .relaxed)
        if frames < requested {
            // The WAL restarted from its beginning.
            requested = 0
            requestedAt.store(0, ordering: .relaxed)
        }
        guard frames >= Self.softLimitFrames else { return false }
        if frames >= Self.hardLimitFrames { return true }
        // Every softLimitFrames, and after every commit in the last stretch before the hard limit,
        // so that the writer's own checkpoint finds little left to copy and sync.
        guard frames - requested >= Self.softLimitFrames || frames >= Self.hardLimitFrames - Self.softLimitFrames else {
            return false
        }
        if isQueued.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            requestedAt.store(frames, ordering: .relaxed)
            let accepted = thread.submit { [self] connection in
                isQueued.store(false, ordering: .releasing)
                // PASSIVE never blocks the writer or readers; pages that readers still need are
                // copied by a later checkpoint. Errors (e.g. SQLITE_BUSY) only postpone the copy.
                connection.checkpointPassive()
            }
            if !accepted { isQueued.store(false, ordering: .releasing) }
        }
        return false
    }

    /// Lets a queued checkpoint finish, then closes the connection.
    func close(wait: Bool) {
        thread.close(wait: wait)
    }
}
