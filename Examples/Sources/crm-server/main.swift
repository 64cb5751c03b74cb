import ArgumentParser
import AtomoServer
import AtomoTooling
import Foundation

/// `crm-server`: the reference server for `services/crm-service/schema.ts`.
@main
struct CRMServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm-server",
        abstract: "Serve the CRM service: GraphQL, auth, schema, health and metrics.",
        discussion: """
            SQLite in the data folder by default; PostgreSQL when ATOMO_DATABASE_URL is set. Environment: PORT, \
            ATOMO_DATA_DIR, ATOMO_DATABASE_URL, ATOMO_JWT_SECRET, ATOMO_ADMIN_EMAIL, ATOMO_ADMIN_PASSWORD, \
            ATOMO_ENV (production | development), LOG_LEVEL, ATOMO_TRUSTED_PROXIES (comma-separated CIDRs).
            """)

    @Option(help: "The port (default: $PORT, or 8080).")
    var port: Int?

    @Option(help: "The address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "The data folder (default: $ATOMO_DATA_DIR, or .atomo under the working directory).")
    var dataDir: String?

    @Option(help: "The schema to serve (default: the CRM service's schema.ts).")
    var schema: String?

    @Flag(help: "Production mode: ATOMO_JWT_SECRET required, nothing generated (default: $ATOMO_ENV, else development).")
    var production = false

    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp(
            "A reverse proxy network (CIDR or address) whose X-Forwarded-For is believed; repeatable (default: $ATOMO_TRUSTED_PROXIES, comma-separated).",
            valueName: "cidr"))
    var trustedProxies: [String] = []

    func run() async throws {
        let path: String
        do {
            path = try schema.map { try ServiceLocator.schemaPath(given: $0) } ?? Self.defaultSchema()
        } catch let error as ToolError {
            throw ValidationError(error.description)
        }
        var configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration.fromEnvironment(
                schemaPath: path, trustedProxyFlags: trustedProxies)
        } catch {
            FileHandle.standardError.write(Data("crm-server: \(error)\n".utf8))
            throw ExitCode.failure
        }
        if production { configuration.mode = .production }
        if let port { configuration.port = port }
        configuration.host = host
        if let dataDir { configuration.dataDirectory = dataDir }
        do {
            try await ServerLauncher.run(configuration)
        } catch let error as ServerError {
            FileHandle.standardError.write(Data("crm-server: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// `services/crm-service/schema.ts` under the working directory, or under `Examples/`, or beside
    /// the sources this binary was built from.
    static func defaultSchema() throws -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let candidates = [
            cwd + "/services/crm-service/schema.ts", cwd + "/" + ServiceLocator.crmExample,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("services/crm-service/schema.ts").path,
        ]
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw ToolError.fileNotFound("services/crm-service/schema.ts (pass --schema)")
        }
        return found
    }
}
