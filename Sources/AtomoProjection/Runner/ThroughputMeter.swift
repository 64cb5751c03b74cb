/// Events per second over a sliding window of a few seconds, from samples of a running total.
struct ThroughputMeter: Sendable {
    private var samples: [(at: ContinuousClock.Instant, total: Int64)] = []
    private let window: Duration = .seconds(5)
    private let spacing: Duration = .milliseconds(200)

    /// Notes the running total at `now`.
    mutating func record(total: Int64, at now: ContinuousClock.Instant) {
        // Samples closer than `spacing` are merged into the newest one, but never into the first:
        // it is the baseline the rate is measured from.
        if samples.count > 1, let last = samples.last, now - last.at < spacing {
            samples[samples.count - 1].total = total
            return
        }
        samples.append((now, total))
        while samples.count > 2, let first = samples.first, now - first.at > window { samples.removeFirst() }
    }

    /// The rate between the oldest sample and `total` now.
    func rate(total: Int64, at now: ContinuousClock.Instant) -> Double {
        guard let first = samples.first else { return 0 }
        let elapsed = now - first.at
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        guard seconds > 0 else { return 0 }
        return Double(total - first.total) / seconds
    }
}
