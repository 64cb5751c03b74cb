import AtomoTooling
public import Foundation
public import Logging

/// The server's data folder: the SQLite files and, in development, the generated JWT secret.
public struct DataFolder: Sendable {
    /// The folder.
    public let url: URL

    /// The file holding the JWT secret generated in development mode.
    public static let jwtSecretFileName = "jwt-secret"

    /// The files of the folder that hold secrets or personal data: the SQLite database with its
    /// `-wal` and `-shm` files, and the JWT secret.
    public static let privateFileNames = [
        EventStoreLocation.sqliteFileName, EventStoreLocation.sqliteFileName + "-wal",
        EventStoreLocation.sqliteFileName + "-shm", jwtSecretFileName,
    ]

    /// Creates the folder (and its parents) when missing, readable by its owner only (0700), and
    /// narrows any of ``privateFileNames`` that an older version left readable by others to 0600.
    /// New SQLite files are created 0600 by AtomoSQLite itself.
    public init(path: String) throws {
        url = URL(fileURLWithPath: path, isDirectory: true)
        let manager = FileManager.default
        if !manager.fileExists(atPath: url.path) {
            try manager.createDirectory(at: url, withIntermediateDirectories: true)
            try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: url.path)
        }
        for name in Self.privateFileNames {
            let file = url.appendingPathComponent(name).path
            guard let mode = (try? manager.attributesOfItem(atPath: file))?[.posixPermissions] as? Int,
                mode & 0o077 != 0
            else { continue }
            try manager.setAttributes([.posixPermissions: mode & 0o700], ofItemAtPath: file)
        }
    }

    /// The JWT secret: `configured` when given; otherwise, in development, the one stored in the data
    /// folder — generated (32 random bytes, hex) and stored with mode 0600 on first use, with a warning.
    ///
    /// - Throws: ``ServerError/missingJWTSecret`` in production when `configured` is nil.
    public func jwtSecret(configured: String?, mode: ServerConfiguration.Mode, logger: Logger) throws -> String {
        if let configured { return configured }
        guard mode == .development else { throw ServerError.missingJWTSecret }
        let file = url.appendingPathComponent(Self.jwtSecretFileName)
        if let stored = try? String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
            stored.count >= 32
        {
            return stored
        }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let created = FileManager.default.createFile(
            atPath: file.path, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600])
        guard created else { throw ServerError.dataFolder("cannot write \(file.path)") }
        logger.warning(
            "ATOMO_JWT_SECRET is not set: generated a development secret and stored it in \(file.path). Set ATOMO_JWT_SECRET in production."
        )
        return secret
    }
}
