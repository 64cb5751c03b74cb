public import AtomoEvents
import AtomoProjection
public import AtomoSQL
import Foundation

/// A reusable conformance suite for projection backends: an ``EventStore`` together with the
/// ``SQLDatabase`` that holds read models and checkpoints.
///
/// AtomoProjection runs it on SQLite; AtomoPostgres runs it unchanged on PostgreSQL (its event store
/// and its `SQLDatabase`), which is how the checkpoint store, the exactly-once runner, rebuilds and
/// the error policy are shown to work there — all of their SQL is written once against AtomoSQL.
///
/// ```swift
/// let suite = ProjectionConformance {
///     let store = try await SQLiteEventStore(path: newTemporaryFile())
///     return .init(store: store, database: store.database)
/// }
///
/// @Test(arguments: ProjectionConformance.checks)
/// func projections(_ check: ProjectionConformance.Check) async throws {
///     try await suite.run(check)
/// }
/// ```
///
/// Each check uses its own projector and table names, so backends may share one database between
/// checks. A failing check throws ``ConformanceFailure``.
public struct ProjectionConformance: Sendable {
    /// The store and database under test.
    public struct Backend: Sendable {
        /// The event store the runners read.
        public var store: any EventStore
        /// The database for read models and checkpoints.
        public var database: any SQLDatabase

        /// Creates a backend.
        public init(store: any EventStore, database: any SQLDatabase) {
            self.store = store
            self.database = database
        }
    }

    /// Makes a backend whose store is empty.
    public typealias MakeBackend = @Sendable () async throws -> Backend

    /// One named check of the suite.
    public struct Check: Sendable, CustomStringConvertible, Hashable {
        /// The check's name.
        public let name: String
        let body: @Sendable (Backend) async throws -> Void

        /// The name.
        public var description: String { name }

        /// Checks are equal when their names are.
        public static func == (lhs: Check, rhs: Check) -> Bool { lhs.name == rhs.name }

        /// Hashes the name.
        public func hash(into hasher: inout Hasher) { hasher.combine(name) }
    }

    let makeBackend: MakeBackend

    /// Creates the suite for backends made by `makeBackend`.
    public init(makeBackend: @escaping MakeBackend) {
        self.makeBackend = makeBackend
    }

    /// Runs one check against a fresh backend.
    public func run(_ check: Check) async throws {
        try await check.body(try await makeBackend())
    }

    /// Runs every check, stopping at the first failure.
    public func runAll() async throws {
        for check in Self.checks { try await run(check) }
    }

    /// Every check of the suite.
    public static var checks: [Check] { ProjectionChecks.all }
}
