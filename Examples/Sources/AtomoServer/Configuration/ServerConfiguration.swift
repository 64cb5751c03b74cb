public import Foundation
public import Logging

/// How a server is started: where it listens, where its data lives, which schema it serves, and
/// its secrets. `crm-server` and `atomo dev` fill it from flags and the environment
/// (``init(environment:)``); tests build one directly.
public struct ServerConfiguration: Sendable {
    /// Development relaxes what production requires: a JWT secret and the first Admin are generated
    /// when not given (with a warning), and errors say more.
    public enum Mode: String, Sendable, CaseIterable {
        /// Generated secrets and passwords allowed, schema file watched (with `atomo dev`).
        case development
        /// `ATOMO_JWT_SECRET` required; nothing generated.
        case production
    }

    /// The address to bind, default `127.0.0.1`.
    public var host: String
    /// The port, default 8080; 0 picks a free one (see ``AtomoServer/port``).
    public var port: Int
    /// The data folder (SQLite files, the generated JWT secret), default `.atomo` under the working directory.
    public var dataDirectory: String
    /// A PostgreSQL URL; when set, the event log and read models live there instead of SQLite.
    public var databaseURL: String?
    /// The service's schema: a `schema.ts` or a canonical `.json` file.
    public var schemaPath: String
    /// Whether to re-import the schema file when it changes and swap the API live.
    public var watchSchema: Bool
    /// How often the schema file is checked for changes.
    public var watchInterval: Duration
    /// Development or production.
    public var mode: Mode
    /// The secret that signs tokens (`ATOMO_JWT_SECRET`); nil in development generates one in the data folder.
    public var jwtSecret: String?
    /// The first Admin's email (`ATOMO_ADMIN_EMAIL`).
    public var adminEmail: String?
    /// The first Admin's password (`ATOMO_ADMIN_PASSWORD`); nil in development generates and prints one.
    public var adminPassword: String?
    /// The level of the server's log.
    public var logLevel: Logger.Level
    /// How long an access token is valid (`ATOMO_ACCESS_TOKEN_TTL`, seconds; default 15 minutes).
    /// Clients refresh before it ends; an open websocket is closed at its end (plus the leeway)
    /// unless renewed with a ping carrying a fresh token.
    public var accessTokenLifetime: Duration = .seconds(15 * 60)
    /// The clock skew allowed when checking a token's times (`ATOMO_TOKEN_LEEWAY`, seconds; default 30).
    public var tokenLeeway: Duration = .seconds(30)
    /// The HTTP layer's timeouts and caps (`ATOMO_HTTP_*`).
    public var httpLimits: HTTPLimits = HTTPLimits()
    /// Settings read from the environment that could not be used; the server refuses to start while
    /// any is listed (a typo in a limit must not silently mean "no limit").
    public var invalidSettings: [String] = []
    /// The reverse proxies whose `X-Forwarded-For` is believed (`ATOMO_TRUSTED_PROXIES`,
    /// `--trusted-proxy`): a request whose peer lies in one of these networks is attributed to the
    /// right-most untrusted address of that header, for login throttling and the logs. Empty by
    /// default: the peer's address is used and the header is ignored.
    public var trustedProxies: [CIDR]

    /// The default data folder: `.atomo` under the working directory.
    public static var defaultDataDirectory: String {
        URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".atomo").path
    }

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = ServerConfiguration.defaultDataDirectory,
        databaseURL: String? = nil, schemaPath: String, watchSchema: Bool = false,
        watchInterval: Duration = .milliseconds(250), mode: Mode = .development, jwtSecret: String? = nil,
        adminEmail: String? = nil, adminPassword: String? = nil, logLevel: Logger.Level = .info,
        trustedProxies: [CIDR] = []
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.schemaPath = schemaPath
        self.watchSchema = watchSchema
        self.watchInterval = watchInterval
        self.mode = mode
        self.jwtSecret = jwtSecret
        self.adminEmail = adminEmail
        self.adminPassword = adminPassword
        self.logLevel = logLevel
        self.trustedProxies = trustedProxies
    }

    /// Reads `PORT`, `ATOMO_DATA_DIR`, `ATOMO_DATABASE_URL`, `ATOMO_JWT_SECRET`, `ATOMO_ADMIN_EMAIL`,
    /// `ATOMO_ADMIN_PASSWORD`, `ATOMO_ENV` (`production` or `development`), `LOG_LEVEL`,
    /// `ATOMO_ACCESS_TOKEN_TTL`, `ATOMO_TOKEN_LEEWAY`, the `ATOMO_HTTP_*` limits (``HTTPLimits``; a
    /// value that cannot be read is listed in ``invalidSettings``) and `ATOMO_TRUSTED_PROXIES`
    /// (comma-separated CIDRs); flags given on the command line override them afterwards.
    ///
    /// - Throws: ``ServerError/invalidTrustedProxy(_:)`` when `ATOMO_TRUSTED_PROXIES` holds something
    ///   that is not an IP address or CIDR.
    public init(
        schemaPath: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ServerError) {
        self.init(host: "127.0.0.1", schemaPath: schemaPath)
        if let port = environment["PORT"].flatMap(Int.init) { self.port = port }
        if let directory = environment["ATOMO_DATA_DIR"], !directory.isEmpty { dataDirectory = directory }
        if let url = environment["ATOMO_DATABASE_URL"], !url.isEmpty { databaseURL = url }
        jwtSecret = environment["ATOMO_JWT_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        adminEmail = environment["ATOMO_ADMIN_EMAIL"].flatMap { $0.isEmpty ? nil : $0 }
        adminPassword = environment["ATOMO_ADMIN_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        if let mode = environment["ATOMO_ENV"].flatMap(Mode.init(rawValue:)) { self.mode = mode }
        if let level = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) { logLevel = level }
        do {
            httpLimits = try HTTPLimits(environment: environment)
        } catch {
            invalidSettings.append(error.description)
        }
        for (name, minimum) in [("ATOMO_ACCESS_TOKEN_TTL", 1.0), ("ATOMO_TOKEN_LEEWAY", 0.0)] {
            guard let text = environment[name], !text.isEmpty else { continue }
            guard let seconds = Double(text), seconds.isFinite, seconds >= minimum, seconds <= 86_400 * 30 else {
                invalidSettings.append("\(name) must be a number of seconds of at least \(Int(minimum)), not '\(text)'")
                continue
            }
            let duration = Duration.milliseconds(Int64((seconds * 1000).rounded()))
            if name == "ATOMO_ACCESS_TOKEN_TTL" { accessTokenLifetime = duration } else { tokenLeeway = duration }
        }
        if let proxies = environment["ATOMO_TRUSTED_PROXIES"] {
            let entries = proxies.split(separator: ",").map(String.init)
            trustedProxies = try Self.parseTrustedProxies(
                entries.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }, source: "ATOMO_TRUSTED_PROXIES")
        }
    }

    /// The configuration a command starts from: the environment (``init(schemaPath:environment:)``),
    /// with `--trusted-proxy` flags, when given, replacing `ATOMO_TRUSTED_PROXIES`.
    /// - Throws: ``ServerError/invalidTrustedProxy(_:)`` naming the entry that does not parse.
    public static func fromEnvironment(schemaPath: String, trustedProxyFlags: [String]) throws(ServerError)
        -> ServerConfiguration
    {
        var configuration = try ServerConfiguration(schemaPath: schemaPath)
        if !trustedProxyFlags.isEmpty {
            configuration.trustedProxies = try parseTrustedProxies(trustedProxyFlags, source: "--trusted-proxy")
        }
        return configuration
    }

    /// Parses trusted proxy networks (`10.0.0.0/8`, `fd00::/8`, or a single address).
    /// - Parameter source: where they came from, for the error (`--trusted-proxy`, `ATOMO_TRUSTED_PROXIES`).
    /// - Throws: ``ServerError/invalidTrustedProxy(_:)`` naming the first entry that does not parse.
    public static func parseTrustedProxies(_ entries: [String], source: String) throws(ServerError) -> [CIDR] {
        var networks: [CIDR] = []
        for entry in entries {
            do {
                networks.append(try CIDR(entry))
            } catch {
                throw ServerError.invalidTrustedProxy("\(source): \(error)")
            }
        }
        return networks
    }
}
