package import AtomoEvents
import EventsWorkload
#if canImport(CoreFoundation)
    // `rusage` and `timeval` come through CoreFoundation's headers once a dependency brings its
    // module in; MemberImportVisibility then needs the import named here.
    import CoreFoundation
#endif
import Foundation
import Synchronization

/// What one run of `atomo-bench events` (and `atomo-bench-events`) does, and how it times each part.
package struct EventsWorkloadPlan: Sendable {
    /// Events appended in batches (a multiple of `batch`).
    package var events: Int
    /// Events per append call.
    package var batch: Int
    /// Events per `readAllPage` call.
    package var page: Int
    /// Single-event appends, once sequential and once concurrent.
    package var singleAppends: Int
    /// Tasks appending concurrently.
    package var concurrency: Int
    /// How many times each read is repeated in a run (the median pass counts).
    package var readPasses: Int

    /// Creates a plan.
    package init(events: Int, batch: Int, page: Int, singleAppends: Int, concurrency: Int, readPasses: Int = 3) {
        self.events = events
        self.batch = batch
        self.page = page
        self.singleAppends = singleAppends
        self.concurrency = concurrency
        self.readPasses = readPasses
    }

    /// Runs every part on `store`, which must be empty, and returns events per second for each.
    package func measure(on store: any EventStore) async throws -> EventsThroughput {
        var result = EventsThroughput()

        // (a) Batched appends from one task. The events are built first so that only the store is timed.
        let appends = (0..<(events / batch)).map { ContactEvents.append(contact: $0, events: batch) }
        let appendClock = Stopwatch()
        let appendCPUBefore = processCPUSeconds()
        for append in appends {
            _ = try await store.append([append])
        }
        result.appendEventsPerSecond = appendClock.rate(of: events)
        if ProcessInfo.processInfo.environment["ATOMO_BENCH_CPU"] != nil {
            let perEvent = (processCPUSeconds() - appendCPUBefore) / Double(events) * 1e6
            FileHandle.standardError.write(Data("append CPU \(perEvent) µs per event\n".utf8))
        }

        // (b) Every stream read back, one call per stream; (c) the whole log in pages. Reads change
        // nothing, so each is repeated `readPasses` times and the median pass counts, which keeps a
        // moment of contention on a shared machine from deciding the figure.
        var streamRates: [Double] = []
        var allRates: [Double] = []
        for _ in 0..<readPasses {
            var clock = Stopwatch()
            var read = 0
            for append in appends {
                read += try await store.readStream(append.stream).count
            }
            try expect(read == events, "read \(read) events from the streams, expected \(events)")
            streamRates.append(clock.rate(of: read))

            clock = Stopwatch()
            let cpuBefore = processCPUSeconds()
            read = 0
            var position: Int64 = 0
            while true {
                let page = try await store.readAllPage(after: position, limit: page, filter: .all)
                read += page.events.count
                position = page.scannedThrough
                if page.events.count < self.page { break }
            }
            try expect(read == events, "read \(read) events from the log, expected \(events)")
            allRates.append(clock.rate(of: read))
            if ProcessInfo.processInfo.environment["ATOMO_BENCH_CPU"] != nil {
                let perEvent = (processCPUSeconds() - cpuBefore) / Double(read) * 1e6
                FileHandle.standardError.write(Data("read-all CPU \(perEvent) µs per event\n".utf8))
            }
        }
        result.readStreamEventsPerSecond = streamRates.sorted()[readPasses / 2]
        result.readAllEventsPerSecond = allRates.sorted()[readPasses / 2]

        // (d) Single-event appends, each to a new stream: one task awaiting each in turn, then
        // `concurrency` tasks at once (which the store may group-commit). The events are built first,
        // in order; the concurrent tasks take the next one from a shared cursor and give it a fresh
        // id, so that stream names and event ids (UUIDv7) follow commit order as they do in a
        // server, where a request builds its event right before appending it. Handed out per task
        // instead, the ids of one group commit would come from 64 far-apart stretches of time and
        // dirty 64 pages of each unique index — the scattered writes the issue measured with
        // random ids (2–3× slower here), which no server produces.
        let sequential = (0..<singleAppends).map { ContactEvents.append(contact: $0, events: 1) }
        var clock = Stopwatch()
        for append in sequential {
            _ = try await store.append([append])
        }
        result.sequentialSingleAppendsPerSecond = clock.rate(of: singleAppends)

        let perTask = singleAppends / concurrency
        let concurrent = (0..<(perTask * concurrency)).map {
            ContactEvents.append(contact: singleAppends + $0, events: 1)
        }
        let cursor = SharedCursor()
        clock = Stopwatch()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    for _ in 0..<perTask {
                        var append = concurrent[cursor.next()]
                        append.events[0].id = UUID.timeOrdered()
                        _ = try await store.append([append])
                    }
                }
            }
            try await group.waitForAll()
        }
        result.concurrentSingleAppendsPerSecond = clock.rate(of: perTask * concurrency)
        return result
    }

    private func expect(_ condition: Bool, _ message: String) throws {
        if !condition { throw BenchmarkFailure(message: message) }
    }
}

/// Hands out 0, 1, 2, … to concurrent tasks.
final class SharedCursor: Sendable {
    private let value = Atomic<Int>(0)

    func next() -> Int { value.add(1, ordering: .relaxed).oldValue }
}

/// A check inside a benchmark failed: the figures would be meaningless.
struct BenchmarkFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// User and system CPU time the process has used, in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Measures elapsed wall-clock time from its creation.
struct Stopwatch {
    private let start = ContinuousClock.now

    /// `count` divided by the seconds elapsed.
    func rate(of count: Int) -> Double {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(count) / seconds
    }
}
