import Foundation

/// Where things are, for tests: the Examples folder, the fixtures, the built executables.
enum TestPaths {
    /// `Examples/`.
    static let examples: URL = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The repository's root.
    static var repository: URL { examples.deletingLastPathComponent() }

    /// `Examples/services/crm-service/schema.ts`.
    static var crmSchema: URL { examples.appendingPathComponent("services/crm-service/schema.ts") }

    /// `Tests/AtomoExamplesTests/Fixtures/<name>`.
    static func fixture(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures").appendingPathComponent(name)
    }

    /// An executable of this package (`atomo`, `crm-server`), built next to the test bundle.
    static func executable(_ name: String) -> URL {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            products.appendingPathComponent(name),
            products.deletingLastPathComponent().appendingPathComponent(name),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name),
            examples.appendingPathComponent(".build/debug/\(name)"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// A fresh empty folder under the temporary directory.
    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "atomo-examples-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The full path of `program` on PATH, or nil.
    static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// The result of running a program to completion.
struct ProgramResult {
    var status: Int32
    var output: String
    var errors: String
}

/// Runs `executable` with `arguments` to completion, collecting its output. A program still running
/// after `timeLimit` is killed (SIGKILL) and the call throws, naming it: a hung program fails its test
/// instead of hanging the run. `input`, when given, is the program's standard input.
func runProgram(
    _ executable: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil,
    input: String? = nil, timeLimit: Duration = .seconds(300)
) throws -> ProgramResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    if let environment { process.environment = environment }
    let directoryForOutput = try TestPaths.temporaryDirectory("out")
    defer { try? FileManager.default.removeItem(at: directoryForOutput) }
    // Files rather than pipes: a chatty program cannot block on a full pipe.
    let outURL = directoryForOutput.appendingPathComponent("stdout")
    let errURL = directoryForOutput.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = try FileHandle(forWritingTo: errURL)
    if let input {
        let inURL = directoryForOutput.appendingPathComponent("stdin")
        _ = FileManager.default.createFile(atPath: inURL.path, contents: Data(input.utf8))
        process.standardInput = try FileHandle(forReadingFrom: inURL)
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    // Polls rather than waitUntilExit(), which can miss the exit when the test runner starts the test
    // process with SIGCHLD blocked.
    let deadline = ContinuousClock.now + timeLimit
    while process.isRunning && ContinuousClock.now < deadline { usleep(5_000) }
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        while process.isRunning { usleep(5_000) }
        let errors = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        throw TestFailure(
            "\(executable) \(arguments.prefix(4).joined(separator: " ")) ran longer than its time limit of \(timeLimit) "
                + "and was killed (SIGKILL); its standard error:\n\(errors.suffix(2_000))")
    }
    return ProgramResult(
        status: process.terminationStatus,
        output: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
        errors: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
}
