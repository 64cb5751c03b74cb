import ArgumentParser
import AtomoServer
import Foundation

/// Where and how a server listens; flags override the environment.
struct ServerOptions: ParsableArguments {
    @Option(help: "The port (default: $PORT, or 8080).")
    var port: Int?

    @Option(help: "The address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "The data folder (default: $ATOMO_DATA_DIR, or .atomo under the working directory).")
    var dataDir: String?

    @Flag(help: "Production mode: ATOMO_JWT_SECRET required, nothing generated (default: $ATOMO_ENV).")
    var production = false

    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp(
            "A reverse proxy network (CIDR or address) whose X-Forwarded-For is believed; repeatable (default: $ATOMO_TRUSTED_PROXIES, comma-separated).",
            valueName: "cidr"))
    var trustedProxies: [String] = []

    func configuration(schemaPath: String, defaultMode: ServerConfiguration.Mode) throws -> ServerConfiguration {
        var configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration.fromEnvironment(
                schemaPath: schemaPath, trustedProxyFlags: trustedProxies)
        } catch {
            throw ValidationError("\(error)")
        }
        if ProcessInfo.processInfo.environment["ATOMO_ENV"] == nil { configuration.mode = defaultMode }
        if production { configuration.mode = .production }
        if let port { configuration.port = port }
        configuration.host = host
        if let dataDir { configuration.dataDirectory = dataDir }
        return configuration
    }
}

/// Runs a server until SIGTERM or SIGINT; a failure to start is reported without a stack of errors.
func serve(_ configuration: ServerConfiguration) async throws {
    do {
        try await ServerLauncher.run(configuration)
    } catch let error as ServerError {
        FileHandle.standardError.write(Data("atomo: \(error.description)\n".utf8))
        throw ExitCode.failure
    }
}
