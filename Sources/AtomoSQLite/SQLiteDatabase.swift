import AtomoSQL
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A SQLite database with one writer connection and a pool of reader connections, each on a
/// dedicated thread.
///
/// SQLite allows one writer at a time; in WAL mode readers run in parallel with it and see the last
/// committed state. `SQLiteDatabase` mirrors that: ``write(_:)`` jobs run in submission order on the
/// writer's thread, ``read(_:)`` jobs on any free reader. Blocking SQLite calls therefore never
/// occupy Swift's cooperative thread pool.
///
/// ```swift
/// let database = try SQLiteDatabase(path: "app.sqlite")
/// try await database.write { connection in
///     try connection.execute("CREATE TABLE IF NOT EXISTS t(x INTEGER)")
/// }
/// let count = try await database.read { connection in
///     try connection.scalarInt64("SELECT count(*) FROM t") ?? 0
/// }
/// ```
public final class SQLiteDatabase: Sendable {
    /// Where the data lives and how it is written.
    public struct Configuration: Sendable {
        /// How SQLite syncs the write-ahead log to disk (`PRAGMA synchronous`).
        public enum Durability: String, Sendable {
            /// `NORMAL`: a commit survives a crash of the process; the last commits before a power
            /// loss or an operating-system crash may be lost (the database stays consistent). Fast.
            case normal = "NORMAL"
            /// `FULL`: every commit is synced to disk before it returns, so it also survives power
            /// loss. Slower: one `fsync` per (group) commit.
            case full = "FULL"
        }

        /// The number of reader connections (ignored for in-memory databases, which read on the writer).
        public var readerCount: Int
        /// The durability of commits.
        public var durability: Durability
        /// How long a connection waits for a lock held by another process before failing with `SQLITE_BUSY`.
        public var busyTimeout: Duration
        /// The page cache per connection, in KiB. The writer never spills a transaction's changed
        /// pages to the WAL before the commit (`PRAGMA cache_spill = OFF`), so a transaction that
        /// changes more than this keeps them in memory until it ends.
        public var cacheSizeKiB: Int
        /// How much of the database file each connection maps into memory (`PRAGMA mmap_size`), in
        /// bytes; 0 turns memory-mapped I/O off. Reads from the map skip a system call and a copy
        /// per page, which makes reading the log about 15% cheaper. Default 256 MiB (address
        /// space, not memory: the kernel pages the file in and out as it likes).
        public var memoryMapSize: Int
        /// Whether the connections open through the `atomo-wal` VFS (default true).
        ///
        /// SQLite writes each page it appends to the write-ahead log as two writes, a 24-byte frame
        /// header and the page; `atomo-wal` gathers a commit's frames in memory and writes them in
        /// writes of up to 128 KiB, the last when the commit frame is written, before the commit can
        /// become visible. What SQLite, other connections and other processes can observe is the
        /// same, in the same order (every other operation on the log writes out first); a commit of
        /// 100 pages makes 4 system calls instead of 200. Turn it off to use SQLite's default VFS as
        /// it is.
        public var gathersWALWrites: Bool
        /// The permission bits a new database file is created with, whatever the process's umask
        /// (default `0o600`: owner read and write only — the file may hold password hashes and
        /// personal data). SQLite gives the `-wal` and `-shm` files it creates beside it the same
        /// mode. An existing file keeps its mode; nil leaves creation to SQLite (`0o644` less the umask).
        public var fileMode: UInt16?

        /// Creates a configuration. The defaults suit a server: 4 readers, `NORMAL` durability, files 0600.
        public init(
            readerCount: Int = 4, durability: Durability = .normal, busyTimeout: Duration = .seconds(5),
            cacheSizeKiB: Int = 16 * 1024, memoryMapSize: Int = 256 << 20, gathersWALWrites: Bool = true,
            fileMode: UInt16? = 0o600
        ) {
            self.fileMode = fileMode
            self.readerCount = max(1, readerCount)
            self.durability = durability
            self.busyTimeout = busyTimeout
            self.cacheSizeKiB = cacheSizeKiB
            self.memoryMapSize = max(0, memoryMapSize)
            self.gathersWALWrites = gathersWALWrites
        }
    }

    /// The file path, or nil for an in-memory database.
    public let path: String?
    /// The configuration the database was opened with.
    public let configuration: Configuration
    // Each connection is pinned to its own thread: SQLite connections are never shared between threads.
    private let writer: BlockingThreads<SQLiteConnection>
    private let readers: BlockingThreads<SQLiteConnection>?
    /// Checkpoints the WAL beside the writer (nil for in-memory databases, which have no WAL).
    private let checkpointer: WALCheckpointer?

    /// Opens (creating if needed) the database file at `path` in WAL mode.
    ///
    /// - Throws: ``SQLiteError`` when the file cannot be opened, is not a database, or is corrupt.
    public init(path: String, configuration: Configuration = Configuration()) throws {
        self.path = path
        self.configuration = configuration
        if let mode = configuration.fileMode { try Self.createFile(atPath: path, mode: mode) }
        let gathers = configuration.gathersWALWrites
        let writerConnection = try SQLiteConnection(
            path: path, busyTimeout: configuration.busyTimeout, gathersWALWrites: gathers)
        try Self.configure(writerConnection, configuration, isWriter: true)
        var readerConnections: [SQLiteConnection] = []
        for _ in 0..<configuration.readerCount {
            let reader = try SQLiteConnection(
                path: path, readOnly: true, busyTimeout: configuration.busyTimeout, gathersWALWrites: gathers)
            try Self.configure(reader, configuration, isWriter: false)
            readerConnections.append(reader)
        }
        let checkpointConnection = try SQLiteConnection(
            path: path, busyTimeout: configuration.busyTimeout, gathersWALWrites: gathers)
        try Self.configure(checkpointConnection, configuration, isWriter: false)
        let checkpointer = WALCheckpointer(connection: checkpointConnection)
        writerConnection.onWALCommit { frames in checkpointer.walDidCommit(frames: frames) }
        self.checkpointer = checkpointer
        writer = BlockingThreads(name: "atomo-sql-w", resources: [writerConnection], stackSize: Self.stackSize)
        readers = BlockingThreads(name: "atomo-sql-r", resources: readerConnections, stackSize: Self.stackSize)
    }

    /// Creates an empty file at `path` with exactly `mode` when none exists, before SQLite opens it,
    /// so that the database never exists with looser permissions (SQLite creates its files with
    /// `0o644` less the umask, and copies the database file's mode to the `-wal` and `-shm` files).
    /// `:memory:` and `file:` URIs are left to SQLite.
    private static func createFile(atPath path: String, mode: UInt16) throws {
        guard path != ":memory:", !path.isEmpty, !path.hasPrefix("file:") else { return }
        let descriptor = systemOpen(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
        if descriptor < 0 {
            let error = errno
            if error == EEXIST { return }
            throw SQLiteError(
                code: SQLiteError.Code.cantOpen, message: "cannot create \(path): \(String(cString: strerror(error)))")
        }
        defer { _ = systemClose(descriptor) }
        // open(2) applies the umask to the mode; set it exactly.
        guard fchmod(descriptor, mode_t(mode)) == 0 else {
            let error = errno
            throw SQLiteError(
                code: SQLiteError.Code.cantOpen,
                message: "cannot set the mode of \(path): \(String(cString: strerror(error)))")
        }
    }

    /// Opens (creating if needed) the database file at `path` on a thread of its own, so that the
    /// blocking open never runs on Swift's cooperative thread pool.
    public static func open(path: String, configuration: Configuration = Configuration()) async throws -> SQLiteDatabase {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try SQLiteDatabase(path: path, configuration: configuration) })
            }
            thread.name = "atomo-sqlite-open"
            thread.start()
        }
    }

    /// Opens a private in-memory database. Reads run on the writer's connection.
    public init(inMemoryWith configuration: Configuration = Configuration()) throws {
        self.path = nil
        self.configuration = configuration
        let connection = try SQLiteConnection(path: ":memory:", busyTimeout: configuration.busyTimeout)
        try connection.execute("PRAGMA foreign_keys = ON")
        writer = BlockingThreads(name: "atomo-sql-m", resources: [connection], stackSize: Self.stackSize)
        readers = nil
        checkpointer = nil
    }

    deinit {
        // Not waiting: the last reference may be dropped on one of these very threads.
        writer.close(wait: false)
        readers?.close(wait: false)
        checkpointer?.close(wait: false)
    }

    /// The stack of each connection's thread.
    static let stackSize = 4 << 20

    /// Stops accepting work, lets queued jobs finish and closes every connection. Blocks until done.
    /// Safe to call more than once; later work throws ``SQLiteError/databaseClosed``. Call it from
    /// outside the database's own jobs.
    public func close() {
        writer.close(wait: true)
        readers?.close(wait: true)
        checkpointer?.close(wait: true)
    }

    private static func configure(_ connection: SQLiteConnection, _ configuration: Configuration, isWriter: Bool)
        throws
    {
        // Reading a page forces SQLite to look at the header, so a file that is not a database
        // fails here, at open, with SQLITE_NOTADB instead of later at first use.
        _ = try connection.scalarInt64("PRAGMA schema_version")
        if isWriter {
            // cache_spill OFF: a transaction's dirty pages stay in memory until it commits instead of
            // being written to the WAL early when the cache is full. SQLite (3.40 here, and at least
            // through 3.50.1) can leave frames with invalid checksums in the WAL when a transaction
            // that spilled rolls back to a savepoint (which the event store's group commit does for
            // a failed append); the commits after it are then lost in a crash, because recovery
            // stops at the first invalid frame. See `WALGatheringTests.savepointRollbackAfterSpill`.
            try connection.execute("PRAGMA journal_mode = WAL; PRAGMA cache_spill = OFF")
        }
        try connection.execute(
            """
            PRAGMA synchronous = \(configuration.durability.rawValue);
            PRAGMA foreign_keys = ON;
            PRAGMA cache_size = -\(configuration.cacheSizeKiB);
            PRAGMA temp_store = MEMORY;
            PRAGMA mmap_size = \(configuration.memoryMapSize);
            """)
    }

    /// Runs `body` on the writer connection's thread; jobs run one at a time, in submission order.
    ///
    /// `body` manages its own transaction (see ``SQLiteConnection/transaction(_:_:)``).
    public func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await writer.run(body, refused: Self.refused)
    }

    /// Enqueues `job` on the writer thread without waiting for it. Returns false once the database is closed.
    ///
    /// This is the building block for group commit: a job can drain many pending requests into one
    /// transaction.
    @discardableResult
    public func submitWrite(_ job: @escaping @Sendable (SQLiteConnection) -> Void) -> Bool {
        writer.submit(job)
    }

    /// Runs `body` on a reader connection's thread (the writer's, for in-memory databases).
    ///
    /// A reader sees the database as of the last commit before its read transaction began.
    public func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        if let readers { try await readers.run(body, refused: Self.refused) } else { try await writer.run(body, refused: Self.refused) }
    }

    /// The error for a job the connections' threads refused: they refuse only once closed.
    private static func refused(_ refusal: BlockingThreads<SQLiteConnection>.Refusal) -> any Error {
        SQLiteError.databaseClosed
    }
}

// `open` and `close` are also the names of SQLiteDatabase's own members.
private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    #if canImport(Glibc)
    Glibc.open(path, flags, mode)
    #else
    Darwin.open(path, flags, mode)
    #endif
}

private func systemClose(_ descriptor: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(descriptor)
    #else
    Darwin.close(descriptor)
    #endif
}
