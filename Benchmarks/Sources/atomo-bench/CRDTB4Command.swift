import ArgumentParser
import AtomoCRDT
#if canImport(CoreFoundation)
    // timespec and rusage come through CoreFoundation's headers once a dependency brings its module in
    // (AtomoGraphQL does); MemberImportVisibility then needs the import named here.
    import CoreFoundation
#endif
import Foundation

#if canImport(CoreFoundation)
// `timespec` and `clock_gettime`: with MemberImportVisibility the importer attributes these C
// declarations to whichever module brought the header in first, which on Linux became CoreFoundation
// once atomo-bench also linked AtomoAuth's dependencies; importing it keeps this file independent of that.
import CoreFoundation
#endif

/// `atomo-bench crdt-b4`: the B4 benchmark of the CRDT literature on AtomoCRDT.
///
/// Replays the automerge-paper editing trace (259,778 single-character edits) into a `YText`, then
/// applies every edit's update on a second document (B1-style), and reports medians, the encoded size
/// next to yrs's encoding of the same document, and the peak resident memory: the whole process's,
/// and how far it rose above the resident memory right after the trace was loaded (the basis the
/// peer comparison uses, since it measures pycrdt's Python process the same way).
struct CRDTB4Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crdt-b4",
        abstract: "Replay the automerge-paper trace (B4) into AtomoCRDT and time it."
    )

    @Option(help: "Path of automerge-paper.json.gz (default: ../shared/data/editing-traces/ from the package root).")
    var trace: String?

    @Option(help: "Number of timed runs; medians are reported.")
    var runs = 5

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Flag(help: .hidden)
    var localOnly = false

    /// The client id of yrs's encoding of the same trace (`yrs-b4-update-v1.bin`). yrs draws 53-bit
    /// client ids, which take 7 bytes in every id an update carries, so the sizes compare fairly
    /// only with the same id.
    static let clientID: UInt64 = 182_476_973_021_437

    struct Edit {
        var position: Int
        var deleteCount: Int
        var insert: String
    }

    func run() async throws {
        let traceURL = try Self.locate(trace, relative: "editing-traces/automerge-paper.json.gz")
        let (edits, endContent) = try Self.load(traceURL)
        let yrsURL = traceURL.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "yrs-b4-update-v1.bin")
        let yrsBytes = (try? Data(contentsOf: yrsURL))?.count

        Self.resetPeakResident()
        let residentAfterLoad = Self.residentBytes()
        var localTimes: [Double] = []
        var localCPU: [Double] = []
        var encodedBytes = 0
        for _ in 0..<max(1, runs) {
            let doc = Doc(clientID: Self.clientID)
            let text = doc.getText("text")
            let start = ContinuousClock.now
            let cpuStart = Self.processCPUSeconds()
            for edit in edits {
                if edit.deleteCount > 0 { try text.delete(at: edit.position, count: edit.deleteCount) }
                if !edit.insert.isEmpty { try text.insert(edit.insert, at: edit.position) }
            }
            localTimes.append(Self.seconds(ContinuousClock.now - start))
            localCPU.append(Self.processCPUSeconds() - cpuStart)
            guard text.string == endContent else { throw ValidationError("local replay did not reach endContent") }
            encodedBytes = doc.encodeStateAsUpdate().count
        }

        if localOnly {
            print("local apply \(Self.median(localTimes)) s")
            return
        }
        // B1-style: every edit's update, applied one by one on a second document.
        let source = Doc(clientID: Self.clientID)
        let sourceText = source.getText("text")
        var updates: [[UInt8]] = []
        updates.reserveCapacity(edits.count)
        source.observeUpdates { update, _ in updates.append(update) }
        for edit in edits {
            try source.transact { _ in
                if edit.deleteCount > 0 { try sourceText.delete(at: edit.position, count: edit.deleteCount) }
                if !edit.insert.isEmpty { try sourceText.insert(edit.insert, at: edit.position) }
            }
        }
        var remoteTimes: [Double] = []
        var remoteCPU: [Double] = []
        for _ in 0..<max(1, runs) {
            let doc = Doc(clientID: 2)
            let start = ContinuousClock.now
            let cpuStart = Self.processCPUSeconds()
            for update in updates { try doc.applyUpdate(update) }
            remoteTimes.append(Self.seconds(ContinuousClock.now - start))
            remoteCPU.append(Self.processCPUSeconds() - cpuStart)
            guard doc.getText("text").string == endContent else {
                throw ValidationError("remote replay did not reach endContent")
            }
        }

        let local = Self.median(localTimes)
        let remote = Self.median(remoteTimes)
        let peak = Self.peakResidentBytes()
        if json {
            var fields = [
                "\"benchmark\":\"crdt-b4\"", "\"edits\":\(edits.count)", "\"runs\":\(max(1, runs))",
                "\"local_apply_seconds\":\(local)", "\"remote_apply_seconds\":\(remote)",
                "\"local_cpu_seconds\":\(Self.median(localCPU))", "\"remote_cpu_seconds\":\(Self.median(remoteCPU))",
                "\"encoded_bytes\":\(encodedBytes)", "\"updates\":\(updates.count)",
            ]
            fields.append("\"yrs_bytes\":\(yrsBytes.map(String.init) ?? "null")")
            fields.append("\"peak_rss_bytes\":\(peak.map(String.init) ?? "null")")
            fields.append("\"rss_after_load_bytes\":\(residentAfterLoad.map(String.init) ?? "null")")
            print("{" + fields.joined(separator: ",") + "}")
        } else {
            print("B4 (automerge-paper, \(edits.count) edits), median of \(max(1, runs)) runs")
            print(
                "  local apply             \(String(format: "%.3f", local)) s  (CPU \(String(format: "%.3f", Self.median(localCPU))) s)"
            )
            print(
                "  remote apply (B1-style) \(String(format: "%.3f", remote)) s  (CPU \(String(format: "%.3f", Self.median(remoteCPU))) s, \(updates.count) updates)"
            )
            print("  encoded document        \(encodedBytes) bytes" + (yrsBytes.map { " (yrs: \($0) bytes)" } ?? ""))
            print("  peak RSS                \(peak.map { "\($0 / 1_048_576) MiB" } ?? "unknown")")
            if let peak, let residentAfterLoad {
                print("  peak RSS above the RSS after loading the trace \((peak - residentAfterLoad) / 1_048_576) MiB")
            }
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Finds shared data: an explicit path, else `../shared/data` from the working directory, its
    /// parent (when run from `Benchmarks/`), or this source file's package root.
    static func locate(_ explicit: String?, relative: String) throws -> URL {
        if let explicit {
            guard FileManager.default.fileExists(atPath: explicit) else {
                throw ValidationError("no trace at \(explicit)")
            }
            return URL(fileURLWithPath: explicit)
        }
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            cwd.appendingPathComponent("../shared/data"), cwd.appendingPathComponent("../../shared/data"),
            sourceRoot.appendingPathComponent("../shared/data"),
        ]
        for directory in candidates
        where FileManager.default.fileExists(atPath: directory.appendingPathComponent(relative).path) {
            return directory.appendingPathComponent(relative).standardizedFileURL
        }
        throw ValidationError(
            "the B4 trace was not found; looked for \(relative) in "
                + candidates.map(\.standardizedFileURL.path).joined(separator: ", ")
                + ". Pass --trace.")
    }

    static func load(_ url: URL) throws -> ([Edit], String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("could not gunzip \(url.path)") }
        // A small scanner instead of JSONSerialization, which needs about 1 GB for this 10 MB file and
        // would dominate the peak memory the benchmark reports.
        var scanner = TraceScanner(bytes: [UInt8](data))
        guard let endContent = scanner.stringValue(after: "\"endContent\"") else {
            throw ValidationError("\(url.path) is not an editing trace")
        }
        scanner.offset = 0
        var edits: [Edit] = []
        while scanner.skip(past: "\"patches\"") {
            while let (position, deleteCount, insert) = scanner.nextPatch() {
                // Positions are Unicode scalars; the trace is ASCII, so they equal UTF-16 offsets.
                edits.append(Edit(position: position, deleteCount: deleteCount, insert: insert))
            }
        }
        return (edits, endContent)
    }

    /// CPU time of the process; unlike wall time it does not count waiting for a busy machine's cores.
    static func processCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Resets the peak resident set size (VmHWM) on Linux, so it measures what follows.
    static func resetPeakResident() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// Peak resident set size (VmHWM) on Linux.
    static func peakResidentBytes() -> Int? { statusBytes("VmHWM:") }

    /// Current resident set size (VmRSS) on Linux.
    static func residentBytes() -> Int? { statusBytes("VmRSS:") }

    /// A size in kB from `/proc/self/status`, in bytes.
    static func statusBytes(_ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field) {
            let digits = line.split(separator: " ").compactMap { Int($0) }
            return digits.first.map { $0 * 1024 }
        }
        return nil
    }
}
