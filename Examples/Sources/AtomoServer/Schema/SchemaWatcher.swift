public import AtomoTooling
import Foundation
public import Logging
public import ServiceLifecycle

/// Watches a schema file and hands every saved version to `apply`.
///
/// It polls the file's modification time and size every `interval` (250 ms by default): portable,
/// cheap, and fast enough for the 2-second budget of a hot reload. A version that does not load
/// (a syntax error, an invalid schema) is reported as `file:line:column: message` and recorded in
/// ``ServiceSchema/lastError``, and the last good schema keeps serving; an edit that fixes it loads.
public struct SchemaWatcher: Service {
    /// Receives each version of the file that loaded, and installs it; a thrown error is reported
    /// and the previous schema stays.
    public typealias Apply = @Sendable (LoadedSchema) async throws -> Void

    let path: String
    let interval: Duration
    let schema: ServiceSchema
    let logger: Logger
    let apply: Apply

    /// Creates a watcher of `path`.
    public init(path: String, interval: Duration, schema: ServiceSchema, logger: Logger, apply: @escaping Apply) {
        self.path = path
        self.interval = interval
        self.schema = schema
        self.logger = logger
        self.apply = apply
    }

    private struct Stamp: Equatable {
        var modified: Date?
        var size: Int?
    }

    private func stamp() -> Stamp {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return Stamp(modified: attributes?[.modificationDate] as? Date, size: (attributes?[.size] as? NSNumber)?.intValue)
    }

    /// Polls until graceful shutdown.
    public func run() async throws {
        var last = stamp()
        var lastSource = schema.current.source
        logger.info("watching the schema file", metadata: ["path": .string(path)])
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            let now = stamp()
            guard now != last else { continue }
            last = now
            let source: String
            do {
                source = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                continue  // mid-save (renamed away for a moment): the next poll sees the new file
            }
            guard source != lastSource else { continue }
            lastSource = source
            await reload(source)
        }
    }

    /// Loads `source` and applies it, or reports why not.
    func reload(_ source: String) async {
        let loaded: LoadedSchema
        do {
            loaded = try SchemaLoader.parse(source, path: path)
        } catch {
            report(error)
            return
        }
        guard loaded.schema != schema.current.schema else {
            schema.replace(with: loaded)  // comments or formatting only: nothing to migrate
            return
        }
        do {
            try await apply(loaded)
        } catch let error as SchemaLoadError {
            report(error)
        } catch {
            report(SchemaLoadError(path: path, message: "\(error)"))
        }
    }

    private func report(_ error: SchemaLoadError) {
        schema.recordFailure(error)
        logger.error("schema not reloaded; the last good schema keeps serving", metadata: ["error": .string(error.description)])
        FileHandle.standardError.write(Data("atomo: \(error.description)\n".utf8))
    }
}
