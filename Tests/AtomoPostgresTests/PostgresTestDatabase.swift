import AtomoEvents
import AtomoPostgres
import AtomoSQL
import AtomoTesting
import Foundation
import Logging
import PostgresNIO
import Testing

/// The server the PostgreSQL tests run against: `ATOMO_POSTGRES_URL`. Suites carry
/// `TestEnvironment.postgres.trait`: without a reachable server they skip, or fail under `ATOMO_REQUIRE_ALL=1`.
enum PostgresTestDatabase {
    static let url = TestEnvironment.postgresURL

    /// A new schema name, so tests run in parallel and repeatedly without seeing each other.
    static func freshSchema() throws -> SQLIdentifier {
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        return try SQLIdentifier("test_\(suffix)")
    }

    /// A store in a fresh schema.
    static func store(_ configure: (inout PostgresEventStore.Configuration) -> Void = { _ in }) async throws
        -> PostgresEventStore
    {
        var configuration = PostgresEventStore.Configuration(schema: try freshSchema(), pollInterval: .milliseconds(300))
        configure(&configuration)
        return try await PostgresEventStore(url: try #require(url), configuration: configuration)
    }

    /// Runs `body` with a running client of its own (for hand-written SQL).
    static func withClient<T: Sendable>(
        username: String? = nil, _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        var configuration = try PostgresConnectionURL.clientConfiguration(from: try #require(url))
        if let username { configuration.username = username }
        let client = PostgresClient(configuration: configuration)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Drops a test schema (best effort).
    static func drop(_ schema: SQLIdentifier) async {
        _ = try? await withClient { client in
            try await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema.quoted) CASCADE"))
        }
    }
}

/// Payload helpers.
func event(_ type: String = "Happened", _ body: String = "{}", tenant: String? = nil) -> EventData {
    EventData(type: type, payload: Data(body.utf8), metadata: EventMetadata(tenant: tenant))
}

/// Collects events from a subscription in the background.
actor EventCollector {
    private(set) var events: [RecordedEvent] = []
    private(set) var arrivals: [ContinuousClock.Instant] = []

    func add(_ event: RecordedEvent) {
        events.append(event)
        arrivals.append(.now)
    }

    /// Waits until at least `count` events arrived, or `timeout` passed; returns the events.
    func wait(for count: Int, timeout: Duration) async -> [RecordedEvent] {
        let deadline = ContinuousClock.now + timeout
        while events.count < count && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return events
    }

    func arrival(of index: Int) -> ContinuousClock.Instant? { index < arrivals.count ? arrivals[index] : nil }
}

extension EventSubscription {
    /// Starts consuming into `collector`; cancel the task to stop.
    func collect(into collector: EventCollector) -> Task<Void, Never> {
        Task {
            do {
                for try await event in self { await collector.add(event) }
            } catch {
                Issue.record("subscription failed: \(error)")
            }
        }
    }
}
