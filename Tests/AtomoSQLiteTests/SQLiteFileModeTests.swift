import AtomoSQL
import AtomoSQLite
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Database files hold password hashes and personal data: they are created owner-only (issue 18).
@Suite("SQLite file modes", .serialized)
struct SQLiteFileModeTests {
    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int) & 0o777
    }

    @Test("a new database and its -wal and -shm files are 0600 even under a permissive umask")
    func newFilesAreOwnerOnly() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("atomo-mode-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("data.sqlite").path
        let previous = umask(0)  // the worst case: nothing masked
        defer { umask(previous) }
        let database = try SQLiteDatabase(path: path)
        try await database.write { connection in
            try connection.execute("CREATE TABLE t (x INTEGER)")
            try connection.execute("INSERT INTO t VALUES (1)")
        }
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file)")
            #expect(try Self.mode(file) == 0o600, "\(file)")
        }
        database.close()
    }

    @Test("fileMode nil leaves creation to SQLite; an existing file keeps its mode")
    func optOutAndExisting() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("atomo-mode-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let previous = umask(0o022)
        defer { umask(previous) }
        let loose = directory.appendingPathComponent("loose.sqlite").path
        try SQLiteDatabase(path: loose, configuration: .init(readerCount: 1, fileMode: nil)).close()
        #expect(try Self.mode(loose) == 0o644)
        let existing = directory.appendingPathComponent("existing.sqlite").path
        #expect(FileManager.default.createFile(atPath: existing, contents: nil, attributes: [.posixPermissions: 0o640]))
        try SQLiteDatabase(path: existing, configuration: .init(readerCount: 1)).close()
        #expect(try Self.mode(existing) == 0o640)
    }
}
