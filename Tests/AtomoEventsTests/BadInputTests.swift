import AtomoEvents
import AtomoSQLite
import AtomoTesting
import Foundation
import Testing

@Suite("Bad input to the SQLite store")
struct BadInputTests {
    @Test("a file that is not a database is a typed error, not a crash")
    func garbageFile() async throws {
        let path = TemporaryDirectory.shared.newFile("garbage")
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16_384).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        await #expect {
            _ = try await SQLiteEventStore(path: path)
        } throws: { error in
            guard case EventStoreError.corrupted = error else { return false }
            return true
        }
    }

    @Test("a database whose pages were overwritten is a typed error on open or on read")
    func damagedDatabase() async throws {
        let path = TemporaryDirectory.shared.newFile("damaged")
        do {
            let store = try await SQLiteEventStore(path: path)
            for index in 0..<200 {
                try await store.append(
                    [EventData(type: "Filled", payload: Data(String(repeating: "p", count: 500).utf8))],
                    to: try StreamName("Fill-\(index)"))
            }
            store.close()
        }
        // Fold the WAL into the file so that the damage below hits the only copy.
        let checkpoint = try? HelperProcess(
            executable: URL(fileURLWithPath: "/usr/bin/env"), arguments: ["sqlite3", path, "PRAGMA wal_checkpoint(TRUNCATE);"])
        _ = await checkpoint?.finish()
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        let size = try handle.seekToEnd()
        // Overwrite everything after the first page: the header survives, every b-tree page is garbage.
        try handle.seek(toOffset: 4096)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(size) - 4096))
        try handle.close()
        do {
            let store = try await SQLiteEventStore(path: path)
            _ = try await store.readAll(after: 0, limit: 1000)
            Issue.record("reading a damaged database succeeded")
        } catch let error as EventStoreError {
            switch error {
            case .corrupted, .storageFailure: break
            default: Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test("an event store file from the future is refused")
    func newerSchema() async throws {
        let path = TemporaryDirectory.shared.newFile("future")
        let store = try await SQLiteEventStore(path: path)
        _ = try await store.database.write { connection in
            try connection.execute("UPDATE atomo_migrations SET version = 99 WHERE module = 'events'")
        }
        store.close()
        await #expect(throws: EventStoreError.self) { _ = try await SQLiteEventStore(path: path) }
    }

    @Test("a closed store throws closed")
    func closedStore() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("closed"))
        store.close()
        await #expect(throws: EventStoreError.closed) {
            try await store.append([EventData(type: "T", payload: Data())], to: try StreamName("A-1"))
        }
        await #expect(throws: EventStoreError.closed) { _ = try await store.headPosition() }
    }

    @Test("the size limit is configurable")
    func configurableLimit() async throws {
        let store = try await SQLiteEventStore(inMemoryWith: .init(maximumEventSize: 100))
        await #expect(throws: EventStoreError.self) {
            try await store.append([EventData(type: "T", payload: Data(count: 101))], to: try StreamName("A-1"))
        }
        try await store.append([EventData(type: "T", payload: Data(count: 90))], to: try StreamName("A-1"))
    }
}
