import Foundation
import Testing

/// A server (`crm-server` or `atomo dev`) run as a child process on a free loopback port, as a user
/// would run it; its standard output and error go to files the test can read.
///
/// Each server has a time limit (`lifetime`, 15 minutes unless the test gives another): one still
/// running then is killed (SIGKILL) with a line on the test's standard error naming it, so that a test
/// that hangs with a server up ends instead of keeping it forever.
final class ServerProcess: @unchecked Sendable {
    // @unchecked: the properties are set in init and only read afterwards, except `process`, which
    // Foundation's Process makes safe to signal from any thread.
    let process: Process
    let port: Int
    let dataDirectory: URL
    let outputURL: URL
    let errorURL: URL

    /// Starts `executable` with `arguments` plus `--port 0 --data-dir <dataDirectory>` and waits until it
    /// prints the URL it serves.
    init(
        _ executable: String, _ arguments: [String] = [], dataDirectory: URL, environment: [String: String] = [:],
        workingDirectory: URL? = nil, timeout: Duration = .seconds(60), lifetime: Duration = .seconds(900)
    ) async throws {
        self.dataDirectory = dataDirectory
        let logs = try TestPaths.temporaryDirectory("server-logs")
        outputURL = logs.appendingPathComponent("stdout")
        errorURL = logs.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let process = Process()
        process.executableURL = executable.contains("/") ? URL(fileURLWithPath: executable) : TestPaths.executable(executable)
        process.arguments = arguments + ["--port", "0", "--data-dir", dataDirectory.path]
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "ATOMO_DATABASE_URL")
        env.removeValue(forKey: "PORT")
        env["LOG_LEVEL"] = env["LOG_LEVEL"] ?? "warning"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        let name = (process.executableURL?.lastPathComponent ?? executable) + " " + arguments.joined(separator: " ")
        Task.detached {
            let end = ContinuousClock.now + lifetime
            while process.isRunning && ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(500)) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                FileHandle.standardError.write(
                    Data("ServerProcess: \(name) ran longer than its time limit of \(lifetime) and was killed (SIGKILL)\n".utf8))
            }
        }
        let deadline = ContinuousClock.now + timeout
        var found: Int?
        while ContinuousClock.now < deadline {
            let output = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
            if let range = output.range(of: #"http://127\.0\.0\.1:(\d+)/"#, options: .regularExpression) {
                let text = output[range].dropFirst("http://127.0.0.1:".count).dropLast()
                found = Int(text)
                break
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let found else {
            process.terminate()
            let errors = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
            throw TestFailure("\(executable) did not start listening:\n\(errors)")
        }
        port = found
    }

    /// The base URL, `http://127.0.0.1:<port>`.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// What the server wrote to standard error so far.
    var errors: String { (try? String(contentsOf: errorURL, encoding: .utf8)) ?? "" }
    /// What the server wrote to standard output so far.
    var output: String { (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "" }

    /// SIGTERM, then waits for the exit (SIGKILL after `timeout`); returns the exit status.
    @discardableResult
    func stop(timeout: Duration = .seconds(20)) async -> Int32 {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            let killed = ContinuousClock.now + .seconds(10)
            while process.isRunning && ContinuousClock.now < killed { try? await Task.sleep(for: .milliseconds(10)) }
        }
        return process.isRunning ? -1 : process.terminationStatus
    }

    /// SIGKILL, now; returns once the process is gone (at most 10 s later).
    func kill9() async {
        kill(process.processIdentifier, SIGKILL)
        // Polls rather than waitUntilExit(), which can miss the exit when the test runner starts the
        // test process with SIGCHLD blocked.
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A test precondition that failed, with a message.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
