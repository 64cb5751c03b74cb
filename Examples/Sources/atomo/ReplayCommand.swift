import ArgumentParser
import AtomoAuth
import AtomoContent
import AtomoEvents
import AtomoProjection
import AtomoSchema
import AtomoTooling
import Foundation

/// `atomo replay <projector>`: rebuilds a read model from the log, blue/green, with a progress bar.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild a read model from the event log (blue/green: the live one keeps serving until the swap).",
        discussion: """
            The projectors are the schema's entities (one read model each): `atomo replay Contact`, or `all`. \
            A new table is built from the whole log beside the live one and swapped in when it has caught up, \
            so readers (a running server on the same data) never see an empty or half-built model.
            """)

    @Argument(help: "The projector: an entity of the schema (e.g. Contact), or `all`.")
    var projector: String

    @OptionGroup var schema: SchemaOption
    @OptionGroup var data: DataOptions

    func run() async throws {
        let loaded = try loadSchema(schema)
        let entities = loaded.schema.entities.map(\.name)
        let targets = projector == "all" ? entities : [projector]
        guard targets.allSatisfy(entities.contains) else {
            FileHandle.standardError.write(
                Data("atomo replay: no projector '\(projector)'; the projectors are: \(entities.joined(separator: ", ")), all\n".utf8))
            throw ExitCode.validationFailure
        }
        let store = try await OpenEventStore.open(data.location)
        let engine: ContentEngine
        do {
            engine = try ContentEngine(
                schema: loaded.schema, events: store.store, readModels: store.database, policy: PolicyEngine(schema: loaded.schema))
            try await engine.start()
        } catch {
            await store.close()
            FileHandle.standardError.write(Data("atomo replay: \(error)\n".utf8))
            throw ExitCode.failure
        }
        var failure: (any Error)?
        for target in targets {
            let bar = ReplayProgressBar(label: target)
            let started = ContinuousClock.now
            do {
                try await engine.rebuildReadModel(target) { health in bar.show(health) }
                let head = try await store.store.headPosition()
                bar.finish(events: head, elapsed: ContinuousClock.now - started)
            } catch {
                failure = error
                break
            }
        }
        await engine.stop()
        await store.close()
        if let failure {
            FileHandle.standardError.write(Data("atomo replay: \(failure)\n".utf8))
            throw ExitCode.failure
        }
    }
}

/// A one-line progress bar on standard error: redrawn in place on a terminal, silent otherwise.
final class ReplayProgressBar: Sendable {
    private let label: String
    private let isTerminal = isatty(STDERR_FILENO) == 1

    init(label: String) { self.label = label }

    func show(_ health: ProjectionHealth) {
        guard isTerminal, health.head > 0 else { return }
        let fraction = min(1, Double(health.checkpoint) / Double(health.head))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = String(
            format: "\r%@ [%@] %3d%%  %lld / %lld events  %.0f events/s", label, bar, Int(fraction * 100),
            health.checkpoint, health.head, health.eventsPerSecond)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish(events: Int64, elapsed: Duration) {
        if isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: "%@: rebuilt from %lld events in %.2f s", label, events, seconds))
    }
}
