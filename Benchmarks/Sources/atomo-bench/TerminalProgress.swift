import Foundation

/// A one-line progress bar on standard error, drawn only when standard error is a terminal, so
/// that piped or `--json` output stays clean.
struct TerminalProgress {
    let label: String
    let total: Int
    let enabled: Bool
    private var lastDrawn = ContinuousClock.now - .seconds(1)

    init(_ label: String, total: Int, enabled: Bool = isatty(2) == 1) {
        self.label = label
        self.total = max(1, total)
        self.enabled = enabled
    }

    /// Redraws the bar at `done` of `total`, at most 20 times a second.
    mutating func update(_ done: Int) {
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
    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
