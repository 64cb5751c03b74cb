public import AtomoEvents
public import AtomoSQL

extension PostgresEventStore {
    /// How appends keep the global order free of skips; see `docs/guide/postgres.md`.
    public enum WriterOrdering: Sendable, Hashable {
        /// Appends run in parallel. Each reserves its positions and its transaction id together
        /// under a lock held for microseconds; readers return only events of transactions older
        /// than their snapshot's xmin. Commits (and their WAL flushes) overlap. The default.
        case snapshotFiltering
        /// Appends hold a transaction-level advisory lock until they commit, so position order is
        /// commit order. Simpler, but every commit waits for the previous one's WAL flush.
        case serialisedWriters
    }

    /// Where the store lives, its limits and how subscriptions wake.
    public struct Configuration: Sendable {
        /// The schema that holds the store's tables (created if missing). Default `public`.
        public var schema: SQLIdentifier
        /// The largest accepted event (payload, type and metadata), in bytes. Default 1 MiB.
        public var maximumEventSize: Int
        /// Upcasters applied on every read path.
        public var upcasters: UpcasterRegistry
        /// How long a caught-up subscription waits before looking again without a notification.
        /// Bounds the delay after a lost notification or a dropped LISTEN connection.
        public var pollInterval: Duration
        /// How many events a subscription reads at a time.
        public var subscriptionPageSize: Int
        /// Whether to create row-level-security policies on `tenant_id` (see ``PostgresEventStore``).
        public var rowLevelSecurity: Bool
        /// How appends keep the global order free of skips.
        public var writerOrdering: WriterOrdering
        /// Whether to LISTEN for other processes' appends (on a dedicated pooled connection).
        public var listensForNotifications: Bool
        /// The NOTIFY channel; the payload is the schema name.
        public var notificationChannel: String
        /// The largest read-all page, in bytes, that the server packs into one value (see
        /// ``PostgresPackedEvents``); larger pages are read row by row. Below PostgreSQL's 1 GB
        /// limit on a value; lowered by tests to exercise the row path.
        package var packedPageByteLimit: Int = 256 << 20

        /// Creates a configuration.
        public init(
            schema: SQLIdentifier = Self.defaultSchema, maximumEventSize: Int = 1 << 20, upcasters: [Upcaster] = [],
            pollInterval: Duration = .milliseconds(500), subscriptionPageSize: Int = 1000,
            rowLevelSecurity: Bool = false, writerOrdering: WriterOrdering = .snapshotFiltering,
            listensForNotifications: Bool = true, notificationChannel: String = "atomo_events"
        ) {
            self.schema = schema
            self.maximumEventSize = maximumEventSize
            self.upcasters = UpcasterRegistry(upcasters)
            self.pollInterval = pollInterval
            self.subscriptionPageSize = subscriptionPageSize
            self.rowLevelSecurity = rowLevelSecurity
            self.writerOrdering = writerOrdering
            self.listensForNotifications = listensForNotifications
            self.notificationChannel = notificationChannel
        }

        /// The `public` schema.
        public static var defaultSchema: SQLIdentifier {
            // "public" is a valid identifier; this cannot fail.
            (try? SQLIdentifier("public")) ?? { preconditionFailure("\"public\" is a valid identifier") }()
        }
    }
}
