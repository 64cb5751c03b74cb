public import AtomoSQL
public import Foundation

/// The credentials table: each user's login email (unique case-insensitively) and password hash.
///
/// Secrets live here and never in the event log, which is append-only and widely replicated
/// (projections, exports, backups): a password hash in an event could never be removed again.
/// Runs on any `SQLDatabase` (SQLite, or PostgreSQL through AtomoPostgres).
///
/// ```swift
/// let credentials = SQLCredentialStore(database: database)
/// try await credentials.migrate()
/// ```
public final class SQLCredentialStore: Sendable {
    /// One user's credentials.
    public struct Credential: Sendable, Hashable {
        /// The user id.
        public var userID: String
        /// The lowercased email (``EmailAddress/key``).
        public var emailKey: String
        /// The password hash (PHC argon2 or bcrypt).
        public var passwordHash: String
        /// When the hash was last written.
        public var updatedAt: Date
    }

    /// The database the table lives in.
    public let database: any SQLDatabase

    /// A store over `database`; call ``migrate()`` once before use.
    public init(database: any SQLDatabase) {
        self.database = database
    }

    /// Creates or upgrades AtomoAuth's tables (idempotent).
    public func migrate() async throws {
        try await AuthSQLSchema.migrate(database)
    }

    /// Stores the credentials of a new user.
    /// - Throws: ``AuthenticationError/emailTaken(_:)`` when another user has the email (in any case).
    public func insert(userID: String, email: EmailAddress, passwordHash: String, at date: Date) async throws {
        do {
            try await database.writeTransaction { connection in
                let p = connection.dialect.placeholder
                guard
                    try connection.query(
                        "SELECT 1 FROM atomo_auth_credentials WHERE email_key = \(p(1)) OR user_id = \(p(2))",
                        [.text(email.key), .text(userID)]
                    ).isEmpty
                else { throw AuthenticationError.emailTaken(email.value) }
                try connection.execute(
                    """
                    INSERT INTO atomo_auth_credentials (user_id, email_key, password_hash, updated_at)
                    VALUES (\(p(1)), \(p(2)), \(p(3)), \(p(4)))
                    """, [.text(userID), .text(email.key), .text(passwordHash), .integer(date.microsecondsSince1970)])
            }
        } catch let error as AuthenticationError {
            throw error
        } catch {
            // A concurrent registration on another connection won the unique index (PostgreSQL).
            if try await credential(forEmail: email) != nil { throw AuthenticationError.emailTaken(email.value) }
            throw error
        }
    }

    /// The credentials for `email`, or nil.
    public func credential(forEmail email: EmailAddress) async throws -> Credential? {
        try await database.readTransaction { connection in
            let p = connection.dialect.placeholder
            return try connection.query(
                "SELECT user_id, email_key, password_hash, updated_at FROM atomo_auth_credentials WHERE email_key = \(p(1))",
                [.text(email.key)]
            ).first.map(Self.credential(from:))
        }
    }

    /// The ids of registered users in id order — registration order, since ids are time-ordered
    /// UUIDs — after `after` (exclusive), at most `limit`: a page of a listing that the primary key serves.
    public func userIDs(after: String?, limit: Int) async throws -> [String] {
        guard limit > 0 else { return [] }
        return try await database.readTransaction { connection in
            let p = connection.dialect.placeholder
            return try connection.query(
                "SELECT user_id FROM atomo_auth_credentials WHERE user_id > \(p(1)) ORDER BY user_id LIMIT \(p(2))",
                [.text(after ?? ""), .integer(Int64(limit))]
            ).compactMap { $0[0].text }
        }
    }

    /// The credentials of `userID`, or nil.
    public func credential(userID: String) async throws -> Credential? {
        try await database.readTransaction { connection in
            let p = connection.dialect.placeholder
            return try connection.query(
                "SELECT user_id, email_key, password_hash, updated_at FROM atomo_auth_credentials WHERE user_id = \(p(1))",
                [.text(userID)]
            ).first.map(Self.credential(from:))
        }
    }

    /// Replaces the password hash of `userID`; returns whether the user exists.
    @discardableResult
    public func updatePasswordHash(userID: String, to passwordHash: String, at date: Date) async throws -> Bool {
        try await database.writeTransaction { connection in
            let p = connection.dialect.placeholder
            return try connection.execute(
                "UPDATE atomo_auth_credentials SET password_hash = \(p(1)), updated_at = \(p(2)) WHERE user_id = \(p(3))",
                [.text(passwordHash), .integer(date.microsecondsSince1970), .text(userID)]) == 1
        }
    }

    /// Deletes the credentials of `userID` (a registration whose event could not be written is undone this way).
    @discardableResult
    public func delete(userID: String) async throws -> Bool {
        try await database.writeTransaction { connection in
            let p = connection.dialect.placeholder
            return try connection.execute("DELETE FROM atomo_auth_credentials WHERE user_id = \(p(1))", [.text(userID)])
                == 1
        }
    }

    private static func credential(from row: SQLRow) throws -> Credential {
        guard let userID = row["user_id"].text, let key = row["email_key"].text, let hash = row["password_hash"].text,
            let updated = row["updated_at"].integer
        else { throw SessionStoreError.corrupted("a credentials row lacks a column") }
        return Credential(
            userID: userID, emailKey: key, passwordHash: hash, updatedAt: Date(microsecondsSince1970: updated))
    }
}
