import AtomoEvents
import AtomoProjection
import AtomoSQL
@testable import AtomoSQLite
import Foundation
import Synchronization
import Testing

/// `SQLProjector.prepare(_:)` runs before the batch's transaction and hands its result to
/// `apply(_:prepared:in:)`; a failure there is a failure of the batch.
@Suite("SQL projectors that prepare batches")
struct PreparedBatchTests {
    /// Prepares by summing positions and noting whether the writer's transaction was open; applies
    /// by storing both, so the test can see what each batch got.
    final class Summing: SQLProjector {
        let name = "summing"
        let poison: Int64?
        /// The SQLite pool threads `prepare` and `apply` ran on ("" for any other thread).
        let threads = Mutex<(prepare: [String], apply: [String])>(([], []))

        init(poison: Int64? = nil) { self.poison = poison }

        struct Prepared: Sendable {
            var positions: [Int64]
            var sum: Int64
        }

        func createSchema(in connection: any SQLConnection) throws {
            try connection.execute("CREATE TABLE IF NOT EXISTS sums (first INTEGER PRIMARY KEY, last INTEGER, sum INTEGER)", [])
        }
        func reset(in connection: any SQLConnection) throws { try connection.execute("DELETE FROM sums", []) }

        func prepare(_ events: [RecordedEvent]) throws -> Prepared {
            let thread = currentThreadName()
            threads.withLock { $0.prepare.append(thread) }
            if let poison, events.contains(where: { $0.position == poison }) { throw PrepareError.undecodable(poison) }
            let positions = events.map(\.position)
            return Prepared(positions: positions, sum: positions.reduce(0, +))
        }

        func apply(_ events: [RecordedEvent], in connection: any SQLConnection) throws {
            try apply(events, prepared: prepare(events), in: connection)
        }

        func apply(_ events: [RecordedEvent], prepared: Prepared, in connection: any SQLConnection) throws {
            let thread = currentThreadName()
            threads.withLock { $0.apply.append(thread) }
            #expect(prepared.positions == events.map(\.position), "apply gets the preparation of its own batch")
            try connection.execute(
                "INSERT INTO sums (first, last, sum) VALUES (?1, ?2, ?3)",
                [.integer(events[0].position), .integer(events[events.count - 1].position), .integer(prepared.sum)])
        }
    }

    enum PrepareError: Error, CustomStringConvertible {
        case undecodable(Int64)
        var description: String {
            switch self {
            case .undecodable(let position): "cannot decode \(position)"
            }
        }
    }

    static func sums(_ database: SQLiteDatabase) async throws -> [(first: Int64, last: Int64, sum: Int64)] {
        try await database.read { connection in
            try connection.query("SELECT first, last, sum FROM sums ORDER BY first", []).map {
                ($0[0].integer ?? -1, $0[1].integer ?? -1, $0[2].integer ?? -1)
            }
        }
    }

    @Test("every batch is prepared once, before its transaction, and applied with its own preparation")
    func preparedBeforeTheTransaction() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("prepare"))
        defer { store.close() }
        try await Fixtures.appendContacts(2_000, to: store)
        let projector = Summing()
        let runner = ProjectionRunner(
            store: store, projector: projector, database: store.database, configuration: .init(batchSize: 300))
        runner.start()
        try await runner.waitUntilCaughtUp(to: 2_000, timeout: .seconds(20))
        // Live batches too.
        try await Fixtures.appendContacts(500, to: store)
        try await runner.waitUntilCaughtUp(to: 2_500, timeout: .seconds(20))
        await runner.stop()

        let sums = try await Self.sums(store.database)
        #expect(sums.reduce(0) { $0 + $1.sum } == (1...2_500).reduce(0, +), "every position once")
        for (index, row) in sums.enumerated() {
            #expect(row.sum == (row.first...row.last).reduce(0, +))
            if index > 0 { #expect(row.first == sums[index - 1].last + 1) }
        }
        let threads = projector.threads.withLock { $0 }
        #expect(threads.prepare.count == sums.count, "one preparation per batch")
        #expect(threads.apply.count == sums.count && threads.apply.allSatisfy { $0.hasPrefix("atomo-sql-w") }, "applied on the writer")
        #expect(threads.prepare.allSatisfy { !$0.hasPrefix("atomo-sql-w") }, "prepared off the writer, before the transaction")
    }

    @Test("a batch whose preparation fails is split; the failing event is skipped by the policy and recorded")
    func failingPreparationFollowsThePolicy() async throws {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("prepare-fail"))
        defer { store.close() }
        try await Fixtures.appendContacts(1_000, to: store)
        let policy = ProjectionErrorPolicy.retryThenSkip(maxAttempts: 2, backoff: .milliseconds(1)...(.milliseconds(2)))
        let runner = ProjectionRunner(
            store: store, projector: Summing(poison: 456), database: store.database,
            configuration: .init(batchSize: 200, errorPolicy: policy))
        runner.start()
        try await runner.waitUntilCaughtUp(to: 1_000, timeout: .seconds(20))
        let health = runner.health()
        await runner.stop()
        #expect(health.skipped.map(\.position) == [456])
        #expect(health.skipped.first?.error == "cannot decode 456")
        let sums = try await Self.sums(store.database)
        #expect(sums.reduce(0) { $0 + $1.sum } == (1...1_000).reduce(0, +) - 456, "everything but the skipped event")
    }
}
