import ArgumentParser

/// `atomo replay <projector>`: rebuilds a read model from the log.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Rebuild a read model from the event log, with a progress bar.")

    @Argument(help: "The projector (the entity whose read model to rebuild, e.g. Contact).")
    var projector: String

    func run() async throws {
        throw ValidationError("replay needs AtomoContent's read-model projectors, which this build does not have yet")
    }
}
