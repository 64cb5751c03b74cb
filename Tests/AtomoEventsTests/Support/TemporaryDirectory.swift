import Foundation
import Synchronization

/// A folder under the system's temporary directory for one test run, with unique file names.
final class TemporaryDirectory: Sendable {
    static let shared = TemporaryDirectory()

    let url: URL
    private let counter = Atomic<Int>(0)

    private init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("atomo-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path that does not exist yet.
    func newFile(_ prefix: String) -> String {
        let number = counter.add(1, ordering: .relaxed).newValue
        return url.appendingPathComponent("\(prefix)-\(number).sqlite").path
    }
}
