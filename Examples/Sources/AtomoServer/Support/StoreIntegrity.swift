import AtomoContent
import AtomoSQL
import AtomoSchema
import Foundation
import Logging
import Synchronization

/// The result of SQLite's `PRAGMA quick_check` on the event log's file, run once at start: a file
/// damaged on disk is found before the first request fails on it, and `/health` reports it.
///
/// The check reads the whole file, so it is bounded: the server waits for it at most
/// ``startupWait``; a larger file is checked on in the background and `/health` says `checking`
/// until the answer is in.
final class StoreIntegrity: Sendable {
    /// Where the check stands.
    enum Status: Sendable, Equatable {
        /// Not a SQLite file (PostgreSQL checks its own pages).
        case notApplicable
        /// Still running.
        case checking
        /// `ok`.
        case passed
        /// What `quick_check` (or opening the file for it) reported.
        case failed(String)
    }

    /// How long the server waits for the check before it starts serving.
    static let startupWait = Duration.seconds(5)

    private let status: Mutex<Status>

    private init(_ status: Status) {
        self.status = Mutex(status)
    }

    /// No check (PostgreSQL).
    static let notApplicable = StoreIntegrity(.notApplicable)

    /// The current status.
    var current: Status { status.withLock { $0 } }

    /// Runs `PRAGMA quick_check` on `database` and waits for it up to ``startupWait``; a failure is
    /// logged as an error with what SQLite found.
    static func check(_ database: any SQLDatabase, logger: Logger) async -> StoreIntegrity {
        let integrity = StoreIntegrity(.checking)
        let finished = AsyncStream<Void>.makeStream()
        Task.detached {
            let result: Status
            do {
                let rows = try await database.readTransaction { connection in
                    try connection.query("PRAGMA quick_check(20)", []).map { row -> String in
                        if case .text(let text)? = row.values.first { return text }
                        return row.values.first.map { "\($0)" } ?? ""
                    }
                }
                result = rows == ["ok"] ? .passed : .failed(rows.joined(separator: "; "))
            } catch {
                result = .failed("\(error)")
            }
            integrity.status.withLock { $0 = result }
            if case .failed(let message) = result {
                logger.error("the event log's file is damaged (PRAGMA quick_check)", metadata: ["problems": .string(message)])
            }
            finished.continuation.finish()
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in finished.stream {} }
            group.addTask { try? await Task.sleep(for: startupWait) }
            await group.next()
            group.cancelAll()
        }
        if integrity.current == .checking {
            logger.notice("the integrity check of the event log continues in the background")
        }
        return integrity
    }
}

extension ContentEngine {
    /// Reads one record of each entity's read model as the system: a read model whose pages cannot
    /// be read fails here. Returns the entities that failed, with their errors.
    func probeReadModels() async -> [String: String] {
        var failures: [String: String] = [:]
        for entity in schema.entities {
            do {
                _ = try await list(RecordQuery(entity.name, page: .first(1)), as: .system)
            } catch {
                failures[entity.name] = error.description
            }
        }
        return failures
    }
}
