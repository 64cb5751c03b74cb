public import Foundation

/// A child process that a test drives — a writer to kill mid-append, a projection worker, an
/// interoperability peer — whose waits never hold one of Swift's cooperative threads.
///
/// The cooperative thread pool has one thread per core. `Process.waitUntilExit()` or a blocking
/// read of a pipe on one of them stalls every other task of the test process for as long: on a
/// 2-core machine, two tests waiting for their helpers stop the whole parallel run, and a
/// projection runner in an unrelated suite misses its deadline. Here every blocking wait runs on
/// a thread of its own, and standard output is drained from the start, so a helper that prints
/// much while the test waits for something else cannot block on a full pipe.
///
/// Every helper has a time limit (ten minutes unless the test gives another): one still running then
/// is killed with SIGKILL, its ``Outcome/exceededTimeLimit`` is true and its ``Outcome/errors`` end
/// with a line saying so, so that a hung helper fails its test instead of hanging the test run.
///
/// ```swift
/// let writer = try HelperProcess(executable: writerURL, arguments: [path])
/// guard await writer.waitForErrorOutput(containing: "ready") else { … }
/// writer.send(SIGKILL)
/// let outcome = await writer.finish()
/// ```
public final class HelperProcess: @unchecked Sendable {
    // Set up before `run()`, then only read; the pipes' handles are read by one waiter at a time.
    private let process: Process
    private let output = Pipe()
    private let errors = Pipe()
    /// Standard error already read by ``waitForErrorOutput(containing:)``.
    private let earlyErrors = NSLock()
    nonisolated(unsafe) private var errorPrefix = Data()
    /// Standard output, drained from the start by a thread of its own (so the child never blocks
    /// on a full pipe while the test waits for something else); signalled once it is closed.
    private let outputLock = NSLock()
    nonisolated(unsafe) private var printed = Data()
    private let outputClosed = DispatchSemaphore(value: 0)
    /// Kills the child when its time limit passes; cancelled once it has exited.
    private let watchdog: DispatchWorkItem
    /// Set by the watchdog when it killed the child.
    private let killedAtTimeLimit: Flag
    private let timeLimit: Duration

    /// What a finished helper left behind.
    public struct Outcome: Sendable {
        /// The exit status, or the signal's number when a signal ended it.
        public var status: Int32
        /// Whether a signal ended the process (rather than an exit).
        public var killedBySignal: Bool
        /// Everything it wrote to standard output.
        public var output: Data
        /// Everything it wrote to standard error, as text; when the time limit ended it, a last line
        /// says so.
        public var errors: String
        /// Whether the helper was killed because it outlived its time limit.
        public var exceededTimeLimit: Bool

        /// Standard output as text.
        public var outputText: String { String(decoding: output, as: UTF8.self) }
    }

    /// Starts `executable` with `arguments`; standard input comes from the file at `input`, if given.
    /// A child still running after `timeLimit` is killed (SIGKILL).
    public init(executable: URL, arguments: [String], input: URL? = nil, timeLimit: Duration = .seconds(600)) throws {
        self.timeLimit = timeLimit
        let process = Process()
        let flag = Flag()
        self.process = process
        killedAtTimeLimit = flag
        watchdog = DispatchWorkItem {
            guard process.isRunning else { return }
            flag.set()
            kill(process.processIdentifier, SIGKILL)
        }
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        if let input { process.standardInput = try FileHandle(forReadingFrom: input) }
        try process.run()
        let (seconds, attoseconds) = timeLimit.components
        let milliseconds = min(seconds, Int64(Int32.max)) * 1_000 + attoseconds / 1_000_000_000_000_000
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(milliseconds)), execute: watchdog)
        let drain = Thread { [self] in
            while true {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                outputLock.withLock { printed.append(chunk) }
            }
            outputClosed.signal()
        }
        drain.start()
    }

    /// The child's process id.
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Whether the child is still running.
    public var isRunning: Bool { process.isRunning }

    /// Sends `signal` (e.g. `SIGKILL`) to the child.
    public func send(_ signal: Int32) {
        _ = kill(process.processIdentifier, signal)
    }

    /// Reads standard error until what was read contains `text` (true) or the child closes it
    /// (false). What was read also appears in ``Outcome/errors``.
    public func waitForErrorOutput(containing text: String) async -> Bool {
        await Self.onThread { [self] in
            var seen = Data()
            defer { earlyErrors.withLock { errorPrefix.append(seen) } }
            while true {
                let chunk = errors.fileHandleForReading.availableData
                if chunk.isEmpty { return false }
                seen.append(chunk)
                if String(decoding: seen, as: UTF8.self).contains(text) { return true }
            }
        }
    }

    /// Waits until the child has exited and both of its output pipes are closed.
    public func finish() async -> Outcome {
        let rest = await Self.onThread { [self] in
            let rest = errors.fileHandleForReading.readDataToEndOfFile()
            outputClosed.wait()
            outputClosed.signal()  // a second `finish()` returns at once
            process.waitUntilExit()
            return rest
        }
        watchdog.cancel()
        let prefix = earlyErrors.withLock { errorPrefix }
        var errorText = String(decoding: prefix + rest, as: UTF8.self)
        let exceeded = killedAtTimeLimit.isSet
        if exceeded {
            errorText +=
                "\nHelperProcess: \(process.executableURL?.lastPathComponent ?? "the helper") "
                + "\((process.arguments ?? []).prefix(3).joined(separator: " ")) ran longer than its time limit of "
                + "\(timeLimit) and was killed (SIGKILL)\n"
        }
        return Outcome(
            status: process.terminationStatus, killedBySignal: process.terminationReason == .uncaughtSignal,
            output: outputLock.withLock { printed }, errors: errorText, exceededTimeLimit: exceeded)
    }

    /// A flag set once, from any thread.
    private final class Flag: Sendable {
        private let lock = NSLock()
        nonisolated(unsafe) private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }

    /// Runs `body` on a new thread and returns its result.
    private static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.start()
        }
    }
}
