import AtomoSQL

/// The store's SQL, written once per schema. Every value travels as a bound parameter; the only
/// text spliced in is the validated, quoted schema name.
struct PostgresEventStoreStatements: Sendable {
    let append: String
    let eventsByID: String
    let streamVersion: String
    let safeHead: String
    private let schema: String
    private let horizon: String

    /// The columns ``PostgresEventRow`` decodes, in order.
    static let eventColumns = """
        e.position, e.event_id, e.stream_name, e.stream_version, e.type, e.schema_version, e.payload,
        e.correlation_id, e.causation_id, e.actor, e.tenant_id, e.custom, e.committed_at
        """

    /// The read horizon, as common table expressions ending in `horizon(xmin)`: the oldest
    /// transaction that was still appending when the statement's snapshot was taken, or the
    /// snapshot's xmax when none was. Every append with a lower transaction id has ended (so its
    /// events are visible or never will be), and appends reserve positions in transaction-id order,
    /// so no event below the horizon's events can still appear.
    ///
    /// Open transactions that are not appends (a host's long report, a migration) do not hold the
    /// horizon back: a transaction in the snapshot counts as an appender when it holds the
    /// appenders' advisory lock (read from `pg_locks` first), or when it has ended by the time it is
    /// looked at (checked second, so an appender that ends in between is still counted). When such
    /// an ended transaction lowers the horizon, `ambiguous` is true: the read is correct but may lag,
    /// and the store reads again with a fresh snapshot, which no longer holds that transaction.
    static func horizon(schema: SQLIdentifier) -> String {
        let key = UInt32(bitPattern: PostgresEventStoreSchema.lockKey(for: schema))
        let lockClass = UInt32(bitPattern: PostgresEventStoreSchema.writerLockClass)
        return """
            snapshot AS MATERIALIZED (SELECT pg_current_snapshot() AS s),
            appenders AS MATERIALIZED (
                SELECT coalesce(array_agg(t.transactionid), '{}') AS xids FROM pg_locks t
                WHERE t.locktype = 'transactionid' AND t.granted AND t.pid IN (
                    SELECT w.pid FROM pg_locks w
                    WHERE w.locktype = 'advisory' AND w.classid = \(lockClass) AND w.objid = \(key)
                        AND w.objsubid = 2 AND w.granted)),
            candidates AS MATERIALIZED (
                SELECT x, CASE WHEN xid(x) = ANY ((SELECT xids FROM appenders)::xid[]) THEN 1
                               WHEN pg_xact_status(x) IS DISTINCT FROM 'in progress' THEN 2
                               ELSE 0 END AS kind
                FROM snapshot, pg_snapshot_xip(snapshot.s) AS x),
            horizon AS MATERIALIZED (
                SELECT
                    coalesce((SELECT min(x) FROM candidates WHERE kind > 0), (SELECT pg_snapshot_xmax(s) FROM snapshot)) AS xmin,
                    coalesce((SELECT min(x) FROM candidates WHERE kind > 0), (SELECT pg_snapshot_xmax(s) FROM snapshot))
                        < coalesce((SELECT min(x) FROM candidates WHERE kind = 1), (SELECT pg_snapshot_xmax(s) FROM snapshot))
                        AS ambiguous)
            """
    }

    init(schema: SQLIdentifier) {
        let s = schema.quoted
        self.schema = s
        let horizon = Self.horizon(schema: schema)
        self.horizon = horizon
        append = "SELECT * FROM \(s).atomo_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        eventsByID = "SELECT \(Self.eventColumns) FROM \(s).atomo_events e WHERE e.event_id = ANY ($1)"
        streamVersion = "SELECT version FROM \(s).atomo_streams WHERE name = $1"
        safeHead = """
            WITH \(horizon)
            SELECT (SELECT max(e.position) FROM \(s).atomo_events e WHERE e.transaction_id < (SELECT xmin FROM horizon)),
                (SELECT ambiguous FROM horizon)
            """
    }

    /// `$1` stream name, `$2` first version (NULL: the stream's last), `$3` limit, `$4` tenant.
    func readStream(forwards: Bool, tenant: Bool) -> String {
        let comparison = forwards ? ">=" : "<="
        let order = forwards ? "ASC" : "DESC"
        return """
            SELECT \(Self.eventColumns) FROM \(schema).atomo_streams s
            JOIN \(schema).atomo_events e ON e.stream_id = s.id
            WHERE s.name = $1 AND e.stream_version \(comparison) coalesce($2::bigint, s.version)\(tenant ? " AND e.tenant_id = $4" : "")
            ORDER BY e.stream_version \(order) LIMIT $3
            """
    }

    /// The rows of a read-all page, in position order: a call of `atomo_read_page` (whose plan does
    /// not depend on the table's statistics) with `$1` after, the horizon, `$2` limit, and the
    /// filters' arrays and tenant as `$3`… in that order, NULL for a filter that is absent.
    private func page(types: Bool, categories: Bool, tenant: Bool) -> String {
        var next = 3
        func argument(_ present: Bool, _ type: String) -> String {
            guard present else { return "NULL::\(type)" }
            defer { next += 1 }
            return "$\(next)"
        }
        let typesArgument = argument(types, "text[]")
        let categoriesArgument = argument(categories, "text[]")
        let tenantArgument = argument(tenant, "text")
        return """
            \(schema).atomo_read_page($1, (SELECT xmin FROM horizon), $2, \(typesArgument), \(categoriesArgument), \(tenantArgument))
            """
    }

    /// The heads of a read-all page: the safe head (the highest position of a transaction below
    /// the horizon — everything at or below it is final), the highest visible position, and
    /// whether the horizon was ambiguous.
    private var pageHeads: String {
        """
        (SELECT max(a.position) FROM \(schema).atomo_events a WHERE a.transaction_id < (SELECT xmin FROM horizon)),
            (SELECT max(b.position) FROM \(schema).atomo_events b),
            (SELECT ambiguous FROM horizon)
        """
    }

    /// `$1` after, `$2` limit, then the filters' arrays and tenant in that order.
    ///
    /// Returns one row: the page's heads (see ``pageHeads``), the number of bytes of the page's
    /// variable-length values (NULL when the page is empty), and the page packed by
    /// ``PostgresPackedEvents`` — NULL when it is empty or when those bytes exceed
    /// `packedByteLimit`, in which case the caller reads the page with ``readAll(types:categories:tenant:)``
    /// (a `bytea` cannot exceed 1 GB).
    ///
    /// The page is read once, into a materialised table expression that both the byte count and
    /// the packing scan, in one statement and so under one snapshot. The records are aggregated in
    /// the order the page yields them (an ordered aggregate would sort them and cost more than the
    /// rest); the client checks the order and sorts if needed.
    func readAllPacked(types: Bool, categories: Bool, tenant: Bool, packedByteLimit: Int) -> String {
        """
        WITH \(horizon),
        page AS MATERIALIZED (SELECT * FROM \(page(types: types, categories: categories, tenant: tenant))),
        sizes AS MATERIALIZED (
            SELECT sum(\(PostgresPackedEvents.variableByteCountSQL) + \(PostgresPackedEvents.fixedByteCount)) AS bytes
            FROM page e)
        SELECT \(pageHeads),
            (SELECT bytes FROM sizes),
            CASE WHEN (SELECT bytes FROM sizes) <= \(packedByteLimit) THEN
                (SELECT string_agg(\(PostgresPackedEvents.recordSQL), ''::bytea) FROM page e)
            END
        """
    }

    /// `$1` after, `$2` limit, then the filters' arrays and tenant in that order.
    ///
    /// Returns first a row with the page's heads (see ``pageHeads``), then one row per event of the
    /// page. Used for pages too large to pack.
    func readAll(types: Bool, categories: Bool, tenant: Bool) -> String {
        // The first row carries the heads, the others the page's events in the order the page
        // yields them; UNION ALL keeps the branches in order, and the client checks it.
        """
        WITH \(horizon)
        SELECT
            \(pageHeads),
            NULL::bigint, NULL::uuid, NULL::text, NULL::bigint, NULL::text, NULL::integer, NULL::bytea,
            NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::timestamptz
        UNION ALL
        SELECT NULL, NULL, NULL, \(Self.eventColumns) FROM \(page(types: types, categories: categories, tenant: tenant)) e
        """
    }
}
