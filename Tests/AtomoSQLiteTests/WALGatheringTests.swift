import AtomoSQL
import CSQLite
import CSQLiteWAL
import Foundation
import Testing

@testable import AtomoSQLite

/// The `atomo-wal` VFS writes a commit's WAL frames in one call. These tests hold it to the contract
/// that nothing anyone can observe changes: every commit is in the file and visible to other
/// connections when it returns, and any sequence of commits, rollbacks, savepoints, cache spills,
/// oversized transactions and checkpoints leaves the same database as SQLite's own VFS.
@Suite("AtomoSQLite: gathered WAL writes")
struct WALGatheringTests {
    /// A fresh directory for one test's files.
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("atomo-wal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Every row as text, in id order (long values by length and a prefix).
    static func dump(_ connection: SQLiteConnection) throws -> [String] {
        let select = try connection.prepare("SELECT id, length(body), substr(body, 1, 24), version FROM t ORDER BY id")
        var rows: [String] = []
        while try select.step() {
            rows.append(
                "\(select.int64(at: 0)) \(select.int64(at: 1)) \(select.string(at: 2) ?? "∅") \(select.int64(at: 3))")
        }
        return rows
    }

    /// What a crash right now would leave: the database and its WAL copied aside (not the shared
    /// memory, which a crash loses), opened with SQLite's own VFS, which recovers from the WAL.
    static func crashImage(of path: String, in directory: URL) throws -> SQLiteConnection {
        let image = directory.appendingPathComponent("image-\(UUID().uuidString).sqlite").path
        try FileManager.default.copyItem(atPath: path, toPath: image)
        if FileManager.default.fileExists(atPath: path + "-wal") {
            try FileManager.default.copyItem(atPath: path + "-wal", toPath: image + "-wal")
        }
        return try SQLiteConnection(path: image)
    }

    /// A body of `length` characters that differs by `seed`.
    static func body(_ seed: UInt64, length: Int) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        let start = Int(seed % UInt64(letters.count))
        let unit = String((0..<64).map { letters[(start + $0 * 7) % letters.count] })
        return String(String(repeating: unit, count: length / 64 + 1).prefix(length))
    }

    @Test("each commit is in the WAL file and visible to another connection as soon as it returns")
    func commitsAreVisibleAndOnDisk() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        let before = atomo_wal_vfs_read_counters()
        let writer = try SQLiteConnection(path: path, gathersWALWrites: true)
        try writer.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0")
        try writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL, version INTEGER NOT NULL)")
        let reader = try SQLiteConnection(path: path, readOnly: true, gathersWALWrites: true)
        var rows: Int64 = 0
        for commit in 1...60 {
            // 1 to ~100 pages per commit: from one frame to more than one 128 KiB write.
            let count = commit % 3 == 0 ? 1 : commit * 2
            try writer.transaction(.immediate) {
                let insert = try writer.cachedStatement("INSERT INTO t (body, version) VALUES (?1, 1)")
                for index in 0..<count {
                    try insert.bind(Self.body(UInt64(commit * 1000 + index), length: 1500), at: 1)
                    try insert.run()
                }
            }
            rows += Int64(count)
            #expect(try reader.scalarInt64("SELECT count(*) FROM t") == rows, "commit \(commit) is visible to a reader")
            if commit % 10 == 0 {
                let image = try Self.crashImage(of: path, in: directory)
                #expect(try image.scalarInt64("SELECT count(*) FROM t") == rows, "commit \(commit) is on disk")
                #expect(try Self.dump(image) == Self.dump(writer))
            }
        }
        let after = atomo_wal_vfs_read_counters()
        let requested = after.requested - before.requested
        let performed = after.performed - before.performed
        // This test alone asks for two writes per page; other tests running meanwhile ask for at
        // least two per write they get, so the ratio holds for the process as a whole.
        // No checkpoint ran (wal_autocheckpoint = 0), so the WAL holds every frame this test wrote
        // (the table's creation included).
        let walSize = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        let frames = Int64((walSize - 32) / (4096 + 24))
        #expect(frames > 500, "the commits wrote \(frames) frames")
        #expect(requested >= 2 * frames, "SQLite asked for a header and a page per frame (\(requested) for \(frames))")
        #expect(performed * 2 <= requested, "writes were gathered: \(performed) performed for \(requested) requested")
    }

    @Test("random commits, rollbacks, savepoints, spills, big rows and checkpoints leave what SQLite's own VFS leaves")
    func differentialAgainstTheDefaultVFS() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let gatheredPath = directory.appendingPathComponent("gathered.sqlite").path
        let gathered = try SQLiteConnection(path: gatheredPath, gathersWALWrites: true)
        let plainPath = directory.appendingPathComponent("plain.sqlite").path
        let plain = try SQLiteConnection(path: plainPath)
        let connections = [gathered, plain]
        for connection in connections {
            // A cache of 8 pages makes transactions spill frames to the WAL before they commit.
            try connection.execute(
                """
                PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;
                PRAGMA cache_size = 8;
                CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL, version INTEGER NOT NULL);
                CREATE INDEX t_body ON t (substr(body, 1, 40));
                """)
        }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var nextID = 1
        for step in 0..<150 {
            // One step's SQL, run the same way on both connections.
            var script: [String] = []
            let operation = next(7)
            func insert(_ length: Int) {
                script.append(
                    "INSERT INTO t (id, body, version) VALUES (\(nextID), '\(Self.body(UInt64(nextID), length: length))', 1)"
                )
                nextID += 1
            }
            func touch() {
                let id = 1 + next(max(1, nextID - 1))
                script.append(
                    "UPDATE t SET body = body || '\(Self.body(UInt64(step), length: 1 + next(3000)))', version = version + 1 WHERE id = \(id)"
                )
            }
            switch operation {
            case 0:  // a commit of a few small rows
                script.append("BEGIN IMMEDIATE")
                for _ in 0..<(1 + next(20)) { insert(10 + next(600)) }
                script.append("COMMIT")
            case 1:  // a commit much larger than the cache and than one gathered write
                script.append("BEGIN IMMEDIATE")
                for _ in 0..<(40 + next(80)) { insert(500 + next(3500)) }
                touch()
                script.append("COMMIT")
            case 2:  // one row bigger than a gathered write
                insert(150_000 + next(400_000))
            case 3:  // updates and deletes, with a savepoint rolled back in the middle
                script.append("BEGIN IMMEDIATE")
                for _ in 0..<(1 + next(10)) { touch() }
                script.append("SAVEPOINT s")
                for _ in 0..<(5 + next(40)) { insert(1000 + next(3000)) }
                for _ in 0..<(1 + next(10)) { touch() }
                script.append("ROLLBACK TO s")
                script.append("RELEASE s")
                for _ in 0..<(1 + next(5)) { touch() }
                script.append("DELETE FROM t WHERE id % 17 = \(next(17)) AND id < \(nextID / 2)")
                script.append("COMMIT")
            case 4:  // a transaction that spills and is rolled back
                script.append("BEGIN IMMEDIATE")
                let idBefore = nextID
                for _ in 0..<(30 + next(60)) { insert(2000 + next(2000)) }
                for _ in 0..<(1 + next(10)) { touch() }
                script.append("ROLLBACK")
                nextID = idBefore
            case 5:  // a checkpoint that restarts the WAL, so the next commit writes a new header at offset 0
                script.append(next(2) == 0 ? "PRAGMA wal_checkpoint(RESTART)" : "PRAGMA wal_checkpoint(TRUNCATE)")
            default:  // a single-row commit: one frame or two
                touch()
            }
            for connection in connections {
                for sql in script { try connection.execute(sql) }
            }

            if step % 3 == 2 {
                // What a crash would leave now, taken before anything reads through the gathered
                // connection (a read writes out what is gathered), compared with what a crash
                // would leave under SQLite's own VFS. (Not with the live rows: these raw connections
                // spill, and at one step of this sequence a savepoint rolled back after a spill
                // leaves frames that do not chain in the WAL, under either VFS, so recovery from a
                // copy stops early: SQLite's bug that `savepointRollbackAfterSpill` covers, which
                // SQLiteDatabase's writer avoids by not spilling. The two images agree.)
                let image = try Self.crashImage(of: gatheredPath, in: directory)
                let plainImage = try Self.crashImage(of: plainPath, in: directory)
                #expect(try Self.dump(image) == Self.dump(plainImage), "step \(step): a crash now leaves the same rows")
                #expect(
                    try image.scalarInt64("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'")
                        == 0)
            }
            if step % 10 == 9 {
                #expect(try Self.dump(gathered) == Self.dump(plain), "step \(step): the same rows")
            }
        }
        #expect(
            try gathered.scalarInt64("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'") == 0)
        #expect(try Self.dump(gathered) == Self.dump(plain))
        #expect(try gathered.scalarInt64("SELECT count(*) FROM t") ?? 0 > 100, "the run left rows to compare")
    }

    @Test(
        "a transaction that spilled and rolled back to a savepoint loses no commit in a crash (the writer does not spill)",
        arguments: [true, false])
    func savepointRollbackAfterSpill(gathers: Bool) async throws {
        // SQLite's own reduction of the bug (forum post b490f726db, 2025-06-17): with a one-page cache,
        // a savepoint's inserts spill pages to the WAL, one page twice (the second copy overwrites the
        // first frame); after ROLLBACK TO, the next commit leaves a frame whose checksum does not
        // chain, and recovery from the files stops there. On the writer of an SQLiteDatabase (no
        // spilling) the copy keeps every commit.
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("db.sqlite").path
        do {
            // auto_vacuum (which makes the pointer-map page the one written twice) has to be set
            // before the file takes WAL mode.
            let setup = try SQLiteConnection(path: path)
            try setup.execute("PRAGMA auto_vacuum = FULL; CREATE TABLE t1 (i INTEGER PRIMARY KEY, s TEXT)")
        }
        // A one-page cache (4 KiB).
        let database = try SQLiteDatabase(path: path, configuration: .init(cacheSizeKiB: 4, gathersWALWrites: gathers))
        defer { database.close() }
        try await database.write { connection in
            try connection.execute("PRAGMA wal_checkpoint")
            for i in 0...1 { try connection.execute("INSERT INTO t1 (i, s) VALUES (\(i), randomblob(4096))") }
            try connection.execute("SAVEPOINT one")
            for i in 2...8 { try connection.execute("INSERT INTO t1 (i, s) VALUES (\(i), randomblob(4096))") }
            try connection.execute("ROLLBACK TO one")
            try connection.execute("RELEASE one")
            try connection.execute("INSERT INTO t1 (i, s) VALUES (9, randomblob(4096))")
        }
        let image = try Self.crashImage(of: path, in: directory)
        #expect(try image.scalarInt64("SELECT count(*) FROM t1") == 3, "rows 0, 1 and 9 survive the crash")
        #expect(try image.scalarInt64("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check != 'ok'") == 0)
    }

    @Test("SQLiteDatabase opens through atomo-wal by default, and readers see each write as it returns")
    func databaseDefault() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("db.sqlite").path)
        defer { database.close() }
        #expect(database.configuration.gathersWALWrites)
        let names = try await database.write { connection in
            try connection.execute(
                "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL, version INTEGER NOT NULL)")
            return [Self.vfsName(connection)]
        }
        #expect(names.first??.hasPrefix("atomo-wal") == true, "the writer's VFS is \(String(describing: names.first))")
        #expect(try await database.read { connection in Self.vfsName(connection) }?.hasPrefix("atomo-wal") == true)
        for commit in 1...40 {
            try await database.write { connection in
                try connection.transaction(.immediate) {
                    for index in 0..<commit {
                        try connection.execute(
                            "INSERT INTO t (body, version) VALUES ('\(Self.body(UInt64(index), length: 900))', \(commit))"
                        )
                    }
                }
            }
            let seen = try await database.read { connection in try connection.scalarInt64("SELECT count(*) FROM t") }
            #expect(seen == Int64(commit * (commit + 1) / 2), "a reader sees commit \(commit) once write returns")
        }
        let plain = try SQLiteDatabase(
            path: directory.appendingPathComponent("plain.sqlite").path,
            configuration: .init(gathersWALWrites: false))
        defer { plain.close() }
        #expect(try await plain.write { connection in Self.vfsName(connection) } == "unix")
    }

    /// The VFS the connection's main database was opened with (`atomo-wal/unix` through ours).
    static func vfsName(_ connection: SQLiteConnection) -> String? {
        var name: UnsafeMutablePointer<CChar>?
        guard sqlite3_file_control(connection.handle, "main", SQLITE_FCNTL_VFSNAME, &name) == SQLITE_OK, let name else {
            return nil
        }
        defer { sqlite3_free(name) }
        return String(cString: name)
    }
}
