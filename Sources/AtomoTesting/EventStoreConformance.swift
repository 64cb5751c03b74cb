public import AtomoEvents
import Foundation

/// A reusable conformance suite for ``EventStore`` implementations.
///
/// Every Atomo store runs it, and a third-party backend can run it unchanged: give it a way to make
/// a fresh, empty store, then run each check — for example as a parameterized Swift Testing test:
///
/// ```swift
/// import AtomoTesting
/// import Testing
///
/// let suite = EventStoreConformance { options in
///     try await MyEventStore(upcasters: options.upcasters)
/// }
///
/// @Test(arguments: EventStoreConformance.checks)
/// func conformance(_ check: EventStoreConformance.Check) async throws {
///     try await suite.run(check)
/// }
/// ```
///
/// A failing check throws ``ConformanceFailure`` with what was expected and where.
public struct EventStoreConformance: Sendable {
    /// What a check asks of the store it gets.
    public struct StoreOptions: Sendable {
        /// Upcasters the store must apply on every read path.
        public var upcasters: [Upcaster]
    }

    /// What the store under test promises beyond the protocol's contract.
    public struct Capabilities: Sendable {
        /// Whether global positions never have gaps (true for SQLite and in-memory; PostgreSQL
        /// sequences may leave gaps after a rollback).
        public var gaplessPositions: Bool
        /// The store's maximum event size, to test the limit.
        public var maximumEventSize: Int

        /// Creates capabilities.
        public init(gaplessPositions: Bool = true, maximumEventSize: Int = 1 << 20) {
            self.gaplessPositions = gaplessPositions
            self.maximumEventSize = maximumEventSize
        }
    }

    /// Makes a fresh, empty store configured with `options`.
    public typealias MakeStore = @Sendable (StoreOptions) async throws -> any EventStore

    /// One named check of the suite.
    public struct Check: Sendable, CustomStringConvertible, Hashable {
        /// The check's name, e.g. `expectedVersionExact`.
        public let name: String
        let body: @Sendable (EventStoreConformance) async throws -> Void

        /// The name.
        public var description: String { name }

        /// Checks are equal when their names are.
        public static func == (lhs: Check, rhs: Check) -> Bool { lhs.name == rhs.name }

        /// Hashes the name.
        public func hash(into hasher: inout Hasher) { hasher.combine(name) }
    }

    let makeStore: MakeStore
    /// What the store promises.
    public let capabilities: Capabilities

    /// Creates the suite for stores made by `makeStore`.
    public init(capabilities: Capabilities = Capabilities(), makeStore: @escaping MakeStore) {
        self.capabilities = capabilities
        self.makeStore = makeStore
    }

    /// Runs one check against a fresh store.
    public func run(_ check: Check) async throws {
        try await check.body(self)
    }

    /// Runs every check, stopping at the first failure.
    public func runAll() async throws {
        for check in Self.checks { try await run(check) }
    }

    /// A fresh store without upcasters.
    func store() async throws -> any EventStore {
        try await makeStore(StoreOptions(upcasters: []))
    }

    /// Every check of the suite.
    public static var checks: [Check] {
        ExpectedVersionChecks.all + IdempotencyChecks.all + OrderingChecks.all + ReadChecks.all
            + SubscriptionChecks.all + UpcastingChecks.all + InputChecks.all + ConcurrencyChecks.all
    }
}

/// A conformance check failed.
public struct ConformanceFailure: Error, CustomStringConvertible {
    /// What went wrong.
    public let message: String
    /// Where the failed expectation is.
    public let file: String
    /// The line of the failed expectation.
    public let line: Int

    /// `file:line: message`
    public var description: String { "\(file):\(line): \(message)" }
}

// MARK: - Expectations

func expect(_ condition: Bool, _ message: @autoclosure () -> String, file: String = #fileID, line: Int = #line) throws {
    if !condition { throw ConformanceFailure(message: message(), file: file, line: line) }
}

func expectEqual<T: Equatable>(
    _ actual: T, _ expected: T, _ message: @autoclosure () -> String = "", file: String = #fileID, line: Int = #line
) throws {
    if actual != expected {
        let context = message()
        throw ConformanceFailure(
            message: "expected \(expected), got \(actual)\(context.isEmpty ? "" : " — \(context)")", file: file, line: line)
    }
}

/// Runs `body` and returns the ``EventStoreError`` it throws; fails when it throws nothing or something else.
func expectStoreError<T>(
    _ description: String, file: String = #fileID, line: Int = #line, _ body: () async throws -> T
) async throws -> EventStoreError {
    do {
        _ = try await body()
    } catch let error as EventStoreError {
        return error
    } catch {
        throw ConformanceFailure(message: "\(description): expected an EventStoreError, got \(error)", file: file, line: line)
    }
    throw ConformanceFailure(message: "\(description): expected an error, but it succeeded", file: file, line: line)
}

// MARK: - Fixtures

func stream(_ name: String) throws -> StreamName { try StreamName(name) }

func event(_ type: String = "Happened", _ body: String = "{}", id: UUID = UUID.timeOrdered(), tenant: String? = nil)
    -> EventData
{
    EventData(id: id, type: type, payload: Data(body.utf8), metadata: EventMetadata(tenant: tenant))
}

func events(_ count: Int, type: String = "Happened", tenant: String? = nil) -> [EventData] {
    (0..<count).map { index in event(type, #"{"n":\#(index)}"#, tenant: tenant) }
}

extension EventStoreConformance {
    static func check(_ name: String, _ body: @escaping @Sendable (EventStoreConformance) async throws -> Void) -> Check {
        Check(name: name, body: body)
    }
}
