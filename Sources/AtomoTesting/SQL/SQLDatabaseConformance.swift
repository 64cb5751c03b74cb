public import AtomoSQL
import Foundation

/// A reusable conformance suite for ``SQLDatabase`` implementations: what code written once against
/// AtomoSQL relies on, checked against the real database.
///
/// It covers transactions (commit, rollback of a throwing body and of a failed statement, one
/// snapshot per read transaction, concurrent writers with no lost update), every member of the
/// ``SQLDialect`` executed for real (upsert, the skip-locked clause, JSON extraction, boolean
/// literals, NULL ordering, byte-wise text collation, case-insensitive `LIKE` with `ESCAPE`, the
/// table-exists query), values at the edges (NUL characters in text, bytes that are not UTF-8), and
/// ``SQLDatabase/close()``.
///
/// Atomo runs it on SQLite and on PostgreSQL; a third-party backend runs it unchanged:
///
/// ```swift
/// let suite = SQLDatabaseConformance(capabilities: .init(textAllowsNUL: true)) {
///     try SQLiteDatabase(path: newTemporaryFile())
/// }
///
/// @Test(arguments: SQLDatabaseConformance.checks)
/// func conformance(_ check: SQLDatabaseConformance.Check) async throws {
///     try await suite.run(check)
/// }
/// ```
///
/// Every check gets a fresh, empty database from `makeDatabase` and closes it when done. The
/// database must run a read transaction and a write transaction at the same time (two connections
/// at least). A failing check throws ``ConformanceFailure``.
public struct SQLDatabaseConformance: Sendable {
    /// What the database under test promises where databases legitimately differ.
    public struct Capabilities: Sendable {
        /// Whether text may contain U+0000 (NUL). Where true, such text must round-trip exactly;
        /// where false, writing it must throw a ``SQLDatabaseError`` and store nothing. Never may
        /// it be stored cut at the NUL. SQLite keeps it; PostgreSQL's `text` cannot hold it.
        public var textAllowsNUL: Bool

        /// Creates capabilities.
        public init(textAllowsNUL: Bool) {
            self.textAllowsNUL = textAllowsNUL
        }
    }

    /// Makes a fresh, empty database.
    public typealias MakeDatabase = @Sendable () async throws -> any SQLDatabase

    /// One named check of the suite.
    public struct Check: Sendable, CustomStringConvertible, Hashable {
        /// The check's name, e.g. `rollbackOnThrow`.
        public let name: String
        let body: @Sendable (any SQLDatabase, Capabilities) async throws -> Void

        /// The name.
        public var description: String { name }

        /// Checks are equal when their names are.
        public static func == (lhs: Check, rhs: Check) -> Bool { lhs.name == rhs.name }

        /// Hashes the name.
        public func hash(into hasher: inout Hasher) { hasher.combine(name) }
    }

    /// What the database promises.
    public let capabilities: Capabilities
    let makeDatabase: MakeDatabase

    /// Creates the suite for databases made by `makeDatabase`.
    public init(capabilities: Capabilities, makeDatabase: @escaping MakeDatabase) {
        self.capabilities = capabilities
        self.makeDatabase = makeDatabase
    }

    /// Runs one check against a fresh database, then closes it.
    public func run(_ check: Check) async throws {
        let database = try await makeDatabase()
        do {
            try await check.body(database, capabilities)
        } catch {
            database.close()
            throw error
        }
        database.close()
    }

    /// Runs every check, stopping at the first failure.
    public func runAll() async throws {
        for check in Self.checks { try await run(check) }
    }

    /// Every check of the suite.
    public static var checks: [Check] {
        SQLTransactionChecks.all + SQLDialectChecks.all + SQLValueChecks.all
    }

    static func check(
        _ name: String, _ body: @escaping @Sendable (any SQLDatabase, Capabilities) async throws -> Void
    ) -> Check {
        Check(name: name, body: body)
    }
}
