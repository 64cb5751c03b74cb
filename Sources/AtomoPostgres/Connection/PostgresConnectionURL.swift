import Foundation
public import AtomoEvents
import NIOSSL
public import PostgresNIO

/// Turns a `postgres://user:password@host:port/database?sslmode=…` URL into a PostgresNIO client
/// configuration.
///
/// ```swift
/// let configuration = try PostgresConnectionURL.clientConfiguration(from: "postgres://app@127.0.0.1:5432/app")
/// ```
public enum PostgresConnectionURL {
    /// Parses `url`. `sslmode=require` (or `verify-full`) turns TLS on; anything else connects without it.
    /// - Throws: ``AtomoEvents/EventStoreError/invalidArgument(_:)`` when the URL is not a PostgreSQL URL.
    public static func clientConfiguration(from url: String) throws(EventStoreError) -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql"
        else {
            throw .invalidArgument("not a postgres:// URL")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .invalidArgument("the PostgreSQL URL has no host")
        }
        let user = components.user.flatMap { $0.removingPercentEncoding } ?? "postgres"
        let password = components.password.flatMap { $0.removingPercentEncoding }
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: tls = .disable
        }
        return PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: password,
            database: database.isEmpty ? nil : database, tls: tls)
    }
}
