import Foundation

/// The figures of one run (or their medians), in events per second.
package struct EventsThroughput: Sendable {
    /// Events per second appended in calls of the plan's batch size.
    package var appendEventsPerSecond = 0.0
    /// Events per second read back stream by stream.
    package var readStreamEventsPerSecond = 0.0
    /// Events per second read through the global order, page by page.
    package var readAllEventsPerSecond = 0.0
    /// One-event appends per second from one task.
    package var sequentialSingleAppendsPerSecond = 0.0
    /// One-event appends per second from the plan's concurrent tasks.
    package var concurrentSingleAppendsPerSecond = 0.0

    /// How many times more single-event appends per second concurrent tasks achieve than one task.
    package var groupCommitRatio: Double {
        sequentialSingleAppendsPerSecond > 0 ? concurrentSingleAppendsPerSecond / sequentialSingleAppendsPerSecond : 0
    }

    /// The median of each figure on its own.
    package static func median(of samples: [EventsThroughput]) -> EventsThroughput {
        func median(_ figure: (EventsThroughput) -> Double) -> Double {
            let sorted = samples.map(figure).sorted()
            let middle = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        }
        return EventsThroughput(
            appendEventsPerSecond: median(\.appendEventsPerSecond),
            readStreamEventsPerSecond: median(\.readStreamEventsPerSecond),
            readAllEventsPerSecond: median(\.readAllEventsPerSecond),
            sequentialSingleAppendsPerSecond: median(\.sequentialSingleAppendsPerSecond),
            concurrentSingleAppendsPerSecond: median(\.concurrentSingleAppendsPerSecond))
    }

    /// One line with every figure.
    package var summary: String {
        "append \(Self.format(appendEventsPerSecond)), read-stream \(Self.format(readStreamEventsPerSecond)), "
            + "read-all \(Self.format(readAllEventsPerSecond)), single sequential "
            + "\(Self.format(sequentialSingleAppendsPerSecond)), single concurrent "
            + "\(Self.format(concurrentSingleAppendsPerSecond)) events/s"
    }

    /// The figures as a small table.
    package func report(backend: String, plan: EventsWorkloadPlan, runs: Int) -> String {
        """
        events on \(backend): \(plan.events) events in appends of \(plan.batch), medians of \(runs) runs
          append (\(plan.batch) events per call)   \(Self.format(appendEventsPerSecond)) events/s
          read-stream (whole streams)   \(Self.format(readStreamEventsPerSecond)) events/s
          read-all (pages of \(plan.page))     \(Self.format(readAllEventsPerSecond)) events/s
          single appends, 1 task        \(Self.format(sequentialSingleAppendsPerSecond)) events/s
          single appends, \(plan.concurrency) tasks      \(Self.format(concurrentSingleAppendsPerSecond)) events/s \
        (\(String(format: "%.1f", groupCommitRatio))× one task)
        """
    }

    /// One JSON object, keys in a fixed order, rates rounded to whole events per second.
    package func json(backend: String, plan: EventsWorkloadPlan, runs: Int) -> String {
        let fields: [(String, String)] = [
            ("backend", "\"\(backend)\""),
            ("events", "\(plan.events)"),
            ("batch", "\(plan.batch)"),
            ("appendEventsPerSecond", Self.integer(appendEventsPerSecond)),
            ("readStreamEventsPerSecond", Self.integer(readStreamEventsPerSecond)),
            ("readAllEventsPerSecond", Self.integer(readAllEventsPerSecond)),
            ("sequentialSingleAppendsPerSecond", Self.integer(sequentialSingleAppendsPerSecond)),
            ("concurrentSingleAppendsPerSecond", Self.integer(concurrentSingleAppendsPerSecond)),
            ("concurrency", "\(plan.concurrency)"),
            ("singleAppends", "\(plan.singleAppends)"),
            ("groupCommitRatio", String(format: "%.2f", groupCommitRatio)),
            ("runs", "\(runs)"),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    private static func integer(_ value: Double) -> String { String(Int(value.rounded())) }

    private static func format(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return String(repeating: " ", count: max(0, 11 - grouped.count)) + grouped
    }
}
