/// Why a server could not start or serve.
public enum ServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Production mode needs `ATOMO_JWT_SECRET`.
    case missingJWTSecret
    /// Production mode needs `ATOMO_ADMIN_EMAIL` and `ATOMO_ADMIN_PASSWORD` when there is no user yet.
    case missingAdminCredentials
    /// The data folder could not be prepared.
    case dataFolder(String)
    /// The schema file could not be loaded at start.
    case schema(String)
    /// The server stopped before it bound its port.
    case stoppedBeforeListening
    /// The first Admin could not be created (a password the policy rejects, an invalid email).
    case adminBootstrap(String)
    /// A setting (flag or environment variable) has a value that cannot be used.
    case configuration(String)
    /// A trusted proxy (`--trusted-proxy`, `ATOMO_TRUSTED_PROXIES`) is not an IP address or CIDR.
    case invalidTrustedProxy(String)

    /// A message for the log and the terminal.
    public var description: String {
        switch self {
        case .missingJWTSecret: "ATOMO_JWT_SECRET must be set in production mode"
        case .missingAdminCredentials:
            "there is no user yet: set ATOMO_ADMIN_EMAIL and ATOMO_ADMIN_PASSWORD for the first Admin"
        case .dataFolder(let message): "data folder: \(message)"
        case .schema(let message): message
        case .stoppedBeforeListening: "the server stopped before it started listening"
        case .adminBootstrap(let message): "cannot create the first Admin: \(message)"
        case .configuration(let message): "configuration: \(message)"
        case .invalidTrustedProxy(let message): "invalid trusted proxy: \(message)"
        }
    }
}
