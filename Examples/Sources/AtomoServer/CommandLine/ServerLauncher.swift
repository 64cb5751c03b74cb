import Foundation
public import Logging

/// Starts a server from an executable: the log on standard error, SIGTERM and SIGINT for a graceful stop.
public enum ServerLauncher {
    /// Installs the process-wide log handler (standard error, structured metadata) at `level`.
    public static func bootstrapLogging(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// Runs a server with `configuration` until SIGTERM or SIGINT.
    public static func run(_ configuration: ServerConfiguration) async throws {
        bootstrapLogging(level: configuration.logLevel)
        let server = try await AtomoServer(configuration: configuration)
        try await server.run()
    }
}
