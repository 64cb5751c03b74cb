public import Foundation

/// A one-line progress bar on standard error, drawn only when standard error is a terminal, so
/// that piped or `--json` output stays clean. (The same bar as `atomo-bench`.)
public struct TerminalProgress: Sendable {
    /// What is being done.
    public let label: String
    /// The amount at which the bar is full.
    public let total: Int
    /// Whether anything is drawn.
    public let enabled: Bool
    private var lastDrawn = ContinuousClock.now - .seconds(1)

    /// Creates a bar; it draws only when `enabled` (by default: standard error is a terminal).
    public init(_ label: String, total: Int, enabled: Bool = isatty(2) == 1) {
        self.label = label
        self.total = max(1, total)
        self.enabled = enabled
    }

    /// Redraws the bar at `done` of `total`, at most 20 times a second.
    public mutating func update(_ done: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - lastDrawn >= .milliseconds(50) || done >= total else { return }
        lastDrawn = now
        let fraction = min(1, Double(done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = "\r\(label) [\(bar)] \(Int(fraction * 100))% \(done)/\(total)"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Ends the line.
    public func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
