import AtomoTesting
import Foundation

/// Locates `../shared/data/` (relative to the package root) and the B4 editing trace in it.
enum SharedData {
    static var directory: URL? {
        // `../shared/data` beside the package root; the package root is three levels above this file,
        // and the working directory is usually the root. Parents are tried too for nested checkouts.
        var candidates: [URL] = []
        for start in [
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent(),
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        ] {
            var directory = start
            for _ in 0..<3 {
                candidates.append(directory.deletingLastPathComponent().appendingPathComponent("shared/data"))
                directory = directory.deletingLastPathComponent()
            }
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("README.md").path) }
    }

    static var isAvailable: Bool { directory != nil }

    /// The fixtures in `../shared/data`: tests that read them skip without them, or fail under
    /// `ATOMO_REQUIRE_ALL=1`.
    static let requirement = TestRequirement(
        "The ../shared/data fixtures", advice: "check out the shared data beside the repository (../shared/data/README.md)"
    ) {
        isAvailable ? nil : "no shared/data/README.md in the parent folders of the package or of the working directory"
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        guard let directory else { throw MissingData(name: name) }
        return [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    struct MissingData: Error { let name: String }

    /// The automerge-paper trace: final content and the edits as (position, deleteCount, insert).
    struct Trace {
        var endContent: String
        var edits: [(position: Int, deleteCount: Int, insert: String)]
    }

    static func automergePaper() async throws -> Trace {
        guard let directory else { throw MissingData(name: "editing-traces/automerge-paper.json.gz") }
        let data = try await HelperProcess(
            executable: URL(fileURLWithPath: "/usr/bin/env"),
            arguments: ["gzip", "-dc", directory.appendingPathComponent("editing-traces/automerge-paper.json.gz").path],
            timeLimit: .seconds(120)
        ).finish().output
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let end = json["endContent"] as? String, let txns = json["txns"] as? [[String: Any]]
        else { throw MissingData(name: "automerge-paper.json.gz (unexpected shape)") }
        var edits: [(Int, Int, String)] = []
        for txn in txns {
            for patch in txn["patches"] as? [[Any]] ?? [] {
                edits.append(((patch[0] as? Int) ?? 0, (patch[1] as? Int) ?? 0, (patch[2] as? String) ?? ""))
            }
        }
        return Trace(endContent: end, edits: edits.map { (position: $0.0, deleteCount: $0.1, insert: $0.2) })
    }
}
