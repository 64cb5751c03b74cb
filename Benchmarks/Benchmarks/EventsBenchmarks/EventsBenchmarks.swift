import AtomoEvents
import Benchmark
import EventsWorkload
import Foundation
import Synchronization

/// package-benchmark suites for the SQLite event store: the same operations `atomo-bench events`
/// times, with package-benchmark's statistics, baselines and allocation counts.
///
/// ```
/// swift package --package-path Benchmarks benchmark --target EventsBenchmarks
/// ```
///
/// Every benchmark opens its own fresh store in a temporary file (in `setup`, not measured) and
/// removes it in `teardown`. Every iteration handles 1,000 events and the scaling factor is `.kilo`,
/// so throughput and time are reported per event.
let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        timeUnits: .microseconds,
        warmupIterations: 1,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 200
    )

    // One aggregate per transaction: a new stream with 100 events per append call.
    Benchmark(
        "SQLite append, 100-event batches (events)",
        configuration: configuration
    ) { benchmark, store in
        let appends = (0..<10).map { ContactEvents.append(contact: $0, events: 100) }
        benchmark.startMeasurement()
        for append in appends { _ = try await store.store.append([append]) }
        benchmark.stopMeasurement()
    } setup: {
        try await TemporaryStore.open()
    } teardown: {
        TemporaryStore.closeAll()
    }

    // One event per append, awaited in turn: the latency of a commit.
    Benchmark(
        "SQLite append, single events, 1 task (events)",
        configuration: configuration
    ) { benchmark, store in
        let appends = (0..<1000).map { ContactEvents.append(contact: $0, events: 1) }
        benchmark.startMeasurement()
        for append in appends { _ = try await store.store.append([append]) }
        benchmark.stopMeasurement()
    } setup: {
        try await TemporaryStore.open()
    } teardown: {
        TemporaryStore.closeAll()
    }

    // One event per append from 64 tasks at once: group commit.
    Benchmark(
        "SQLite append, single events, 64 tasks (events)",
        configuration: configuration
    ) { benchmark, store in
        // Built in order and handed out from a shared cursor with a fresh id, so that ids follow
        // commit order as in a server (see `EventsWorkloadPlan`, step d).
        let appends = (0..<1024).map { ContactEvents.append(contact: $0, events: 1) }
        let cursor = Cursor()
        benchmark.startMeasurement()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    for _ in 0..<16 {
                        var append = appends[cursor.next()]
                        append.events[0].id = UUID.timeOrdered()
                        _ = try await store.store.append([append])
                    }
                }
            }
            try await group.waitForAll()
        }
        benchmark.stopMeasurement()
    } setup: {
        try await TemporaryStore.open()
    } teardown: {
        TemporaryStore.closeAll()
    }

    // A log of 100,000 events read in pages of 1,000, one page per iteration, cycling through the log.
    Benchmark(
        "SQLite readAllPage, pages of 1,000 (events)",
        configuration: configuration
    ) { benchmark, store in
        let page = try await store.store.readAllPage(after: store.nextPosition(), limit: 1000, filter: .all)
        blackHole(page)
    } setup: {
        try await TemporaryStore.open(filledWith: 100_000)
    } teardown: {
        TemporaryStore.closeAll()
    }

    // Whole streams of 100 events, one stream per call, ten calls per iteration.
    Benchmark(
        "SQLite readStream, 100-event streams (events)",
        configuration: configuration
    ) { benchmark, store in
        for _ in 0..<10 { blackHole(try await store.store.readStream(store.nextStream())) }
    } setup: {
        try await TemporaryStore.open(filledWith: 100_000)
    } teardown: {
        TemporaryStore.closeAll()
    }
}

/// Hands out 0, 1, 2, … to concurrent tasks.
final class Cursor: Sendable {
    private let value = Atomic<Int>(0)

    func next() -> Int { value.add(1, ordering: .relaxed).oldValue }
}

/// A store in a fresh temporary file, optionally filled with 100-event streams.
final class TemporaryStore: Sendable {
    let store: SQLiteEventStore
    let path: String
    let streams: [StreamName]
    let eventCount: Int64
    private let cursor = Mutex<Int>(0)

    private static let registry = Mutex<[TemporaryStore]>([])

    private init(store: SQLiteEventStore, path: String, streams: [StreamName], eventCount: Int64) {
        self.store = store
        self.path = path
        self.streams = streams
        self.eventCount = eventCount
    }

    static func open(filledWith events: Int = 0) async throws -> TemporaryStore {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("atomo-events-benchmark-\(UUID().uuidString).sqlite").path
        let store = try await SQLiteEventStore(path: path)
        var streams: [StreamName] = []
        for contact in 0..<(events / 100) {
            let append = ContactEvents.append(contact: contact, events: 100)
            _ = try await store.append([append])
            streams.append(append.stream)
        }
        let opened = TemporaryStore(store: store, path: path, streams: streams, eventCount: Int64(events))
        Self.registry.withLock { $0.append(opened) }
        return opened
    }

    static func closeAll() {
        let stores = Self.registry.withLock { stores in
            defer { stores.removeAll() }
            return stores
        }
        for opened in stores {
            opened.store.close()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: opened.path + suffix) }
        }
    }

    /// The position after which the next 1,000-event page starts, cycling through the log.
    func nextPosition() -> Int64 {
        let page = cursor.withLock { cursor in
            defer { cursor += 1 }
            return cursor
        }
        return Int64(page * 1000) % max(eventCount, 1)
    }

    /// The next stream, cycling through them.
    func nextStream() -> StreamName {
        let index = cursor.withLock { cursor in
            defer { cursor += 1 }
            return cursor
        }
        return streams[index % streams.count]
    }
}
