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
    /// Parses `url` into a pool configuration. `sslmode=require` (or `verify-ca`, `verify-full`) turns
    /// TLS on; anything else connects without it.
    /// - Throws: ``AtomoEvents/EventStoreError/invalidArgument(_:)`` when the URL is not a PostgreSQL URL.
    public static func clientConfiguration(from url: String) throws(EventStoreError) -> PostgresClient.Configuration {
        let parts = try parse(url)
        return PostgresClient.Configuration(
            host: parts.host, port: parts.port, username: parts.user, password: parts.password,
            database: parts.database, tls: parts.usesTLS ? .require(.makeClientConfiguration()) : .disable)
    }

    /// Parses `url` into the configuration of a single connection (the store's LISTEN connection).
    /// - Throws: ``AtomoEvents/EventStoreError/invalidArgument(_:)`` when the URL is not a PostgreSQL URL,
    ///   ``AtomoEvents/EventStoreError/storageFailure(_:)`` when TLS cannot be set up.
    public static func connectionConfiguration(from url: String) throws(EventStoreError) -> PostgresConnection.Configuration {
        let parts = try parse(url)
        let tls: PostgresConnection.Configuration.TLS
        if parts.usesTLS {
            do {
                tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            } catch {
                throw .storageFailure("cannot set up TLS: \(error)")
            }
        } else {
            tls = .disable
        }
        return PostgresConnection.Configuration(
            host: parts.host, port: parts.port, username: parts.user, password: parts.password,
            database: parts.database, tls: tls)
    }

    private struct Parts {
        var host: String
        var port: Int
        var user: String
        var password: String?
        var database: String?
        var usesTLS: Bool
    }

    private static func parse(_ url: String) throws(EventStoreError) -> Parts {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql"
        else {
            throw .invalidArgument("not a postgres:// URL")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .invalidArgument("the PostgreSQL URL has no host")
        }
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        return Parts(
            host: host, port: components.port ?? 5432,
            user: components.user.flatMap { $0.removingPercentEncoding } ?? "postgres",
            password: components.password.flatMap { $0.removingPercentEncoding },
            database: database.isEmpty ? nil : database,
            usesTLS: ["require", "verify-ca", "verify-full"].contains(sslMode))
    }
}
