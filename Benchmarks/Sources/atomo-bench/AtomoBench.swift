import ArgumentParser

/// `atomo-bench`: measures Atomo's hot paths on the machine it runs on.
///
/// Each subcommand prints human-readable figures, or one JSON object with `--json`.
@main
struct AtomoBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atomo-bench",
        abstract: "Measure Atomo's throughput and latency on this machine.",
        subcommands: [
            EventsCommand.self, PostgresEventsCommand.self, ProjectionCommand.self, ContentCommand.self, CRDTB4Command.self,
            AuthCommand.self, GraphQLCommand.self,
        ]
    )
}
