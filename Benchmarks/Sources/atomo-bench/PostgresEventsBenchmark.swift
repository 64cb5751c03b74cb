import AtomoEvents
import AtomoPostgres
import AtomoSQL
import Foundation

/// Figures of one PostgreSQL events run, in events per second.
struct PostgresEventsFigures: Codable, Sendable {
    /// Appends of `batch` events per call (one new stream per call), from one task.
    var appendsPerSecond: Double
    /// The same appends from `concurrency` tasks at once.
    var concurrentAppendsPerSecond: Double
    /// `readAllPage` through the whole log, in pages of 10,000.
    var readAllPerSecond: Double
}

/// Measures ``PostgresEventStore`` on the server at `url`, in a fresh schema that is dropped after.
///
/// (a) `events` events in calls of `batch`, each call a new stream, from one task; (b) as many
/// again from `concurrency` tasks; (c) every event read back with `readAllPage` in pages of 10,000.
/// Payloads are about 160 bytes of JSON, like the SQLite benchmark's and the peers'.
func runPostgresEventsBenchmark(
    url: String, events: Int, batch: Int, concurrency: Int,
    writerOrdering: PostgresEventStore.WriterOrdering = .snapshotFiltering
) async throws -> PostgresEventsFigures {
    let schema = try SQLIdentifier("bench_\(UInt32.random(in: 0...UInt32.max))")
    let store = try await PostgresEventStore(
        url: url,
        configuration: .init(schema: schema, writerOrdering: writerOrdering, listensForNotifications: false))
    let calls = max(1, events / batch)

    func batchEvents(_ call: Int) -> [EventData] {
        (0..<batch).map { revision in
            EventData(
                type: revision == 0 ? "ContactCreated" : "ContactUpdated",
                payload: Data(
                    #"{"name":"Contact \#(call)","email":"contact\#(call)@example.com","phone":"+1-555-01\#(call % 100)","company":"Acme Corporation","tags":["lead","newsletter"],"score":\#(revision % 100),"revision":\#(revision)}"#
                        .utf8))
        }
    }

    // (a) One task.
    let prepared = (0..<calls).map { batchEvents($0) }
    var started = ContinuousClock.now
    for (call, events) in prepared.enumerated() {
        try await store.append(events, to: try StreamName("Contact-a\(call)"), expectedVersion: .noStream)
    }
    let sequential = ContinuousClock.now - started

    // (b) Concurrent tasks.
    let concurrentPrepared = (0..<calls).map { batchEvents($0) }
    started = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for task in 0..<concurrency {
            group.addTask {
                var call = task
                while call < calls {
                    try await store.append(
                        concurrentPrepared[call], to: try StreamName("Contact-c\(call)"), expectedVersion: .noStream)
                    call += concurrency
                }
            }
        }
        try await group.waitForAll()
    }
    let concurrent = ContinuousClock.now - started

    // (c) Read everything.
    started = ContinuousClock.now
    var after: Int64 = 0
    var read = 0
    while true {
        let page = try await store.readAllPage(after: after, limit: 10_000, filter: .all)
        read += page.events.count
        if page.events.isEmpty { break }
        after = page.scannedThrough
    }
    let reading = ContinuousClock.now - started
    guard read == 2 * calls * batch else {
        throw EventStoreError.storageFailure("read \(read) events, expected \(2 * calls * batch)")
    }

    try await store.dropSchemaAndClose()
    let appended = Double(calls * batch)
    return PostgresEventsFigures(
        appendsPerSecond: appended / sequential.seconds,
        concurrentAppendsPerSecond: appended / concurrent.seconds,
        readAllPerSecond: Double(read) / reading.seconds)
}
