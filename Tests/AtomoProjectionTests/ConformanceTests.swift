import AtomoEvents
import AtomoTesting
import Foundation
import Testing

/// The projection conformance suite on SQLite (AtomoPostgres runs the same suite on PostgreSQL).
@Suite("Projection conformance")
struct ProjectionConformanceTests {
    static let sqlite = ProjectionConformance {
        let store = try await SQLiteEventStore(path: TemporaryDirectory.shared.newFile("projection-conformance"))
        return .init(store: store, database: store.database)
    }

    @Test("SQLite store, read models in the same file", arguments: ProjectionConformance.checks)
    func sqlite(_ check: ProjectionConformance.Check) async throws {
        // A check throws what it found wrong; passing means it ran to the end without a finding.
        await #expect(throws: Never.self) { try await Self.sqlite.run(check) }
    }
}
