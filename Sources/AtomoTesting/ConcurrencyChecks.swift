import AtomoEvents
import Foundation
import Synchronization

/// Racing writers on one stream with exact expected versions: every version is written once,
/// losers get conflicts, and nothing else happens.
enum ConcurrencyChecks {
    static let tasks = 8
    static let attemptsPerTask = 1_000

    static let all: [EventStoreConformance.Check] = [
        EventStoreConformance.check("racingExactVersionAppends") { suite in
            let store = try await suite.store()
            let contact = try stream("Contact-90")
            let outcomes = try await withThrowingTaskGroup(of: (wins: [UUID: Int64], conflicts: Int).self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        var wins: [UUID: Int64] = [:]
                        var conflicts = 0
                        for _ in 0..<attemptsPerTask {
                            let version = try await store.streamVersion(contact)
                            let attempt = event()
                            do {
                                let result = try await store.append(
                                    [attempt], to: contact, expectedVersion: version.map { .exact($0) } ?? .noStream)
                                // The event must land right after the version the writer saw.
                                wins[attempt.id] = (version ?? -1) + 1
                                try expectEqual(result.firstVersion, (version ?? -1) + 1, "a winner's version")
                            } catch EventStoreError.wrongExpectedVersion(let stream, _, _) where stream == contact {
                                conflicts += 1
                            }
                        }
                        return (wins, conflicts)
                    }
                }
                var all: [(wins: [UUID: Int64], conflicts: Int)] = []
                for try await outcome in group { all.append(outcome) }
                return all
            }
            var wins: [UUID: Int64] = [:]
            for outcome in outcomes { wins.merge(outcome.wins) { first, _ in first } }
            let conflicts = outcomes.map(\.conflicts).reduce(0, +)
            try expectEqual(wins.count + conflicts, tasks * attemptsPerTask, "every attempt either won or conflicted")
            let stored = try await store.readStream(contact)
            try expectEqual(stored.count, wins.count, "one event per winning append")
            try expectEqual(stored.map(\.streamVersion), Array(0..<Int64(wins.count)), "each version exactly once")
            try expectEqual(Set(stored.map(\.id)), Set(wins.keys), "the stored events are exactly the winners")
            for event in stored {
                try expectEqual(event.streamVersion, wins[event.id], "event \(event.id) landed after the version its writer saw")
            }
            try expectEqual(try await store.headPosition(), stored.last?.position ?? 0, "nothing else was written")
        },
    ]
}
