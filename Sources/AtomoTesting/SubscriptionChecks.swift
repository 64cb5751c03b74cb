import AtomoEvents
import Foundation
import Synchronization

/// Subscriptions deliver every event exactly once and in order, across the catch-up to live
/// hand-off, and end cleanly when cancelled.
enum SubscriptionChecks {
    static let all: [EventStoreConformance.Check] = [
        EventStoreConformance.check("subscriptionCatchesUpThenGoesLive") { suite in
            let store = try await suite.store()
            let contact = try stream("Contact-60")
            try await store.append(events(5), to: contact)
            let consumer = Task { try await collect(store.subscribe(after: 0), count: 10) }
            try await Task.sleep(for: .milliseconds(50))
            for _ in 0..<5 { try await store.append(events(1), to: contact) }
            let received = try await consumer.value
            try expectEqual(received.map(\.position), Array(1...10))
            try expectEqual(received.map(\.streamVersion), Array(0...9))
            let middle = try await collect(store.subscribe(after: 7), count: 3)
            try expectEqual(middle.map(\.position), [8, 9, 10], "a subscription from a position starts after it")
        },
        EventStoreConformance.check("subscriptionHandOffUnderRacingAppends") { suite in
            let store = try await suite.store()
            let writers = 4
            let appendsPerWriter = 40
            // Events 1 + 2 per append alternate, so the total is known in advance.
            let total = writers * appendsPerWriter * 3 / 2
            try await withThrowingTaskGroup(of: [RecordedEvent].self) { group in
                // Subscribers start at staggered moments while the writers run.
                for delay in [0, 5, 20, 60] {
                    group.addTask {
                        try await Task.sleep(for: .milliseconds(delay))
                        return try await collect(store.subscribe(after: 0), count: total, timeout: .seconds(60))
                    }
                }
                for writer in 0..<writers {
                    group.addTask {
                        for index in 0..<appendsPerWriter {
                            try await store.append(events(index % 2 + 1), to: try stream("Writer-\(writer)"))
                            if index % 8 == 0 { await Task.yield() }
                        }
                        return []
                    }
                }
                var subscribers = 0
                for try await received in group where !received.isEmpty {
                    subscribers += 1
                    let all = try await store.readAll(after: 0, limit: total + 10)
                    try expectEqual(all.count, total)
                    try expectEqual(received.map(\.id), all.map(\.id), "a subscriber saw the log exactly once, in order")
                }
                try expectEqual(subscribers, 4)
            }
        },
        EventStoreConformance.check("subscriptionFiltersAndIsolatesTenants") { suite in
            let store = try await suite.store()
            let consumer = Task {
                try await collect(store.subscribe(after: 0, filter: EventFilter(categories: ["Contact"], tenant: "acme")), count: 6)
            }
            for index in 0..<24 {
                let tenant = index % 2 == 0 ? "acme" : "globex"
                let category = index % 4 < 2 ? "Contact" : "Company"
                try await store.append([event("Touched", tenant: tenant)], to: try stream("\(category)-\(index)"))
            }
            let received = try await consumer.value
            try expect(received.allSatisfy { $0.metadata.tenant == "acme" && $0.stream.category == "Contact" },
                       "only acme's Contact events")
            try expectEqual(received.map(\.position), [1, 5, 9, 13, 17, 21])
        },
        EventStoreConformance.check("subscriptionCancellationEndsIteration") { suite in
            let store = try await suite.store()
            try await store.append(events(3), to: try stream("Contact-70"))
            let delivered = Atomic<Int>(0)
            let consumer = Task { () -> Int in
                var count = 0
                for try await _ in store.subscribe(after: 0) {
                    count += 1
                    delivered.store(count, ordering: .releasing)
                }
                return count
            }
            // Cancel once the subscription has caught up and waits for more.
            let deadline = ContinuousClock.now + .seconds(20)
            while delivered.load(ordering: .acquiring) < 3 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            try await Task.sleep(for: .milliseconds(50))
            consumer.cancel()
            let count = try await withThrowingTaskGroup(of: Int?.self) { group in
                group.addTask { try await consumer.value }
                group.addTask {
                    try await Task.sleep(for: .seconds(10))
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            guard let count else {
                throw ConformanceFailure(message: "a cancelled subscription did not end within 10 s", file: #fileID, line: #line)
            }
            try expectEqual(count, 3, "the subscription delivered what was there, then ended")
            // The store still works after a cancelled subscription.
            try await store.append(events(1), to: try stream("Contact-70"))
            try expectEqual(try await collect(store.subscribe(after: 3), count: 1).map(\.position), [4])
        },
    ]
}

/// Collects the first `count` events of `subscription`, failing after `timeout`.
func collect(_ subscription: EventSubscription, count: Int, timeout: Duration = .seconds(20)) async throws -> [RecordedEvent] {
    try await withThrowingTaskGroup(of: [RecordedEvent]?.self) { group in
        group.addTask {
            var received: [RecordedEvent] = []
            for try await event in subscription {
                received.append(event)
                if received.count == count { break }
            }
            return received
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        let first = try await group.next() ?? nil
        group.cancelAll()
        guard let received = first else {
            throw ConformanceFailure(message: "timed out waiting for \(count) events", file: #fileID, line: #line)
        }
        return received
    }
}
