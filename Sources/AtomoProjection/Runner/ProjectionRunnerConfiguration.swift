extension ProjectionRunner {
    /// Batching, waiting, failure handling and leadership of a runner.
    ///
    /// ```swift
    /// var configuration = ProjectionRunner.Configuration()
    /// configuration.batchSize = 2000
    /// configuration.maxBatchLatency = .milliseconds(5)
    /// configuration.errorPolicy = .retryThenSkip(maxAttempts: 3, backoff: .milliseconds(50)...(.seconds(2)))
    /// ```
    public struct Configuration: Sendable {
        /// The most events read and applied in one batch (one transaction for SQL projectors).
        /// Also bounds memory, with ``readAhead``.
        public var batchSize: Int
        /// When live, how long the runner may hold a partial batch waiting for more events before
        /// applying it. Zero (the default) applies each page as soon as it is read: lowest latency.
        public var maxBatchLatency: Duration
        /// Retry, then park or skip.
        public var errorPolicy: ProjectionErrorPolicy
        /// How long a caught-up runner waits without a signal before looking at the store again;
        /// nil uses the store's own poll interval. Bounds the delay for writers in other processes.
        public var pollInterval: Duration?
        /// How many pages to read ahead while a batch is applied (pipelining), each on a reader
        /// connection of its own; 0 reads one page at a time. Memory holds at most
        /// `(1 + readAhead) × batchSize` events. Default 2.
        public var readAhead: Int
        /// How often the head is re-read during catch-up, for lag figures.
        public var headRefreshInterval: Duration
        /// At most one runner per projector across processes; nil runs without asking anyone.
        public var leadership: (any ProjectionLeadership)?
        /// How often a standby runner asks for the lease again.
        public var leadershipRetryInterval: Duration

        /// Creates a configuration.
        public init(
            batchSize: Int = 1000, maxBatchLatency: Duration = .zero, errorPolicy: ProjectionErrorPolicy = .standard,
            pollInterval: Duration? = nil, readAhead: Int = 2, headRefreshInterval: Duration = .milliseconds(250),
            leadership: (any ProjectionLeadership)? = nil, leadershipRetryInterval: Duration = .seconds(1)
        ) {
            self.batchSize = max(1, batchSize)
            self.maxBatchLatency = maxBatchLatency
            self.errorPolicy = errorPolicy
            self.pollInterval = pollInterval
            self.readAhead = max(0, readAhead)
            self.headRefreshInterval = headRefreshInterval
            self.leadership = leadership
            self.leadershipRetryInterval = leadershipRetryInterval
        }
    }
}
