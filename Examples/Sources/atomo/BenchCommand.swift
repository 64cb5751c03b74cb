import ArgumentParser
import Foundation

/// `atomo bench`: the projection benchmark, built in release mode from the Benchmarks package.
///
/// The benchmark's code lives once, in `Benchmarks/` (`atomo-bench projection`), and is run from
/// there rather than linked into `atomo`: `swift run --package-path Examples atomo` builds in debug
/// mode, and a benchmark compiled in debug mode would measure the compiler's checks, not Atomo.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure projection throughput and latency on this machine (atomo-bench projection).",
        discussion: """
            Runs `swift run -c release --package-path <repository>/Benchmarks atomo-bench projection` with the \
            arguments given, for example `atomo bench --events 200000 --target sqlite --live-seconds 5`. \
            `atomo bench --help-benchmark` lists them. Figures and how to read them: Benchmarks/README.md.
            """)

    @Flag(help: "Show the benchmark's own options.")
    var helpBenchmark = false

    @Argument(parsing: .allUnrecognized, help: "Options passed to atomo-bench projection.")
    var arguments: [String] = []

    /// The repository's Benchmarks package: `$ATOMO_REPOSITORY/Benchmarks`, `./Benchmarks`, or the
    /// clone this binary was built from.
    static func benchmarksPackage() -> String? {
        var candidates: [String] = []
        if let root = ProcessInfo.processInfo.environment["ATOMO_REPOSITORY"] { candidates.append(root + "/Benchmarks") }
        candidates.append(FileManager.default.currentDirectoryPath + "/Benchmarks")
        candidates.append(
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Benchmarks").path)
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/Package.swift") }
    }

    func run() throws {
        guard let package = Self.benchmarksPackage() else {
            throw ValidationError("cannot find the Benchmarks package: run from the repository or set ATOMO_REPOSITORY")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["swift", "run", "-c", "release", "--package-path", package, "atomo-bench", "projection"]
            + (helpBenchmark ? ["--help"] : arguments)
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 { throw ExitCode(process.terminationStatus) }
    }
}
