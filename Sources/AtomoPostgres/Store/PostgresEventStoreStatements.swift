import AtomoSQL

/// The store's SQL, written once per schema. Every value travels as a bound parameter; the only
/// text spliced in is the validated, quoted schema name.
struct PostgresEventStoreStatements: Sendable {
    let append: String
    let eventsByID: String
    let streamVersion: String
    let safeHead: String
    private let schema: String

    /// The columns ``PostgresEventRow`` decodes, in order.
    static let eventColumns = """
        e.position, e.event_id, e.stream_name, e.stream_version, e.type, e.schema_version, e.payload,
        e.correlation_id, e.causation_id, e.actor, e.tenant_id, e.custom, e.committed_at
        """

    /// The snapshot's xmin: every transaction with a lower id has ended. Computed once per statement.
    private static let horizon = "(SELECT pg_snapshot_xmin(pg_current_snapshot()))"

    init(schema: SQLIdentifier) {
        let s = schema.quoted
        self.schema = s
        append = "SELECT * FROM \(s).atomo_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        eventsByID = "SELECT \(Self.eventColumns) FROM \(s).atomo_events e WHERE e.event_id = ANY ($1)"
        streamVersion = "SELECT version FROM \(s).atomo_streams WHERE name = $1"
        safeHead = """
            WITH horizon AS MATERIALIZED (SELECT \(Self.horizon) AS xmin)
            SELECT max(e.position) FROM \(s).atomo_events e WHERE e.transaction_id < (SELECT xmin FROM horizon)
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

    /// `$1` after, `$2` limit, then the filters' arrays and tenant in that order.
    ///
    /// Returns at least one row: the safe head (the highest position of a transaction below the
    /// horizon — everything at or below it is final), the highest visible position, and the page's
    /// events (NULL when the page is empty).
    func readAll(types: Bool, categories: Bool, tenant: Bool) -> String {
        var conditions = ["e.position > $1", "e.transaction_id < (SELECT xmin FROM horizon)"]
        var next = 3
        if types {
            conditions.append("e.type = ANY ($\(next))")
            next += 1
        }
        if categories {
            conditions.append("e.stream_id IN (SELECT c.id FROM \(schema).atomo_streams c WHERE c.category = ANY ($\(next)))")
            next += 1
        }
        if tenant {
            conditions.append("e.tenant_id = $\(next)")
        }
        return """
            WITH horizon AS MATERIALIZED (SELECT \(Self.horizon) AS xmin)
            SELECT
                (SELECT max(a.position) FROM \(schema).atomo_events a WHERE a.transaction_id < (SELECT xmin FROM horizon)),
                (SELECT max(b.position) FROM \(schema).atomo_events b),
                page.*
            FROM (SELECT 1) AS one
            LEFT JOIN (
                SELECT \(Self.eventColumns) FROM \(schema).atomo_events e
                WHERE \(conditions.joined(separator: " AND "))
                ORDER BY e.position LIMIT $2
            ) AS page ON true
            ORDER BY page.position
            """
    }
}
