import AtomoAuth
import AtomoEvents
import AtomoSQL
import AtomoSchema
import Foundation
import Logging

/// The server's AtomoAuth: users and sessions in the service's database, tokens signed with the
/// configured (or development) secret, and the first Admin.
struct ServerAuth: Sendable {
    let authenticator: Authenticator

    /// The issuer and audience of the server's tokens.
    static let issuer = "atomo"
    static let audience = "atomo-api"

    static func open(
        events: any EventStore, database: any SQLDatabase, secret: String, schema: Schema, policy: PolicyEngine,
        tokenLifetime: Duration = .seconds(15 * 60), tokenLeeway: Duration = .seconds(30)
    ) async throws -> ServerAuth {
        let credentials = SQLCredentialStore(database: database)
        try await credentials.migrate()
        let sessions = SQLSessionStore(database: database)
        try await sessions.migrate()
        let tokens = await TokenService(
            configuration: .init(
                key: try TokenKey.hs256(secret: Array(secret.utf8)), issuer: issuer, audience: audience,
                lifetime: tokenLifetime, leeway: tokenLeeway))
        let authenticator = try await Authenticator(
            events: events, credentials: credentials, sessions: sessions, tokens: tokens, hasher: try PasswordHasher(),
            configuration: .init(roles: schema.roles), policy: policy)
        return ServerAuth(authenticator: authenticator)
    }

    /// The email of the Admin made in development when `ATOMO_ADMIN_EMAIL` is not set.
    static let developmentAdminEmail = "admin@example.com"

    /// Makes sure the first Admin exists: with `ATOMO_ADMIN_EMAIL` and `ATOMO_ADMIN_PASSWORD` when set;
    /// in development otherwise as `admin@example.com` with a generated password printed once (on the
    /// run that creates it). An existing Admin is left as it is. The Admin holds the schema's first
    /// role that is granted `manageUsers` (the first role, unless the schema says otherwise).
    func bootstrapAdmin(configuration: ServerConfiguration, schema: Schema, logger: Logger) async throws {
        let email = configuration.adminEmail ?? (configuration.mode == .development ? Self.developmentAdminEmail : nil)
        guard let email else {
            logger.warning("ATOMO_ADMIN_EMAIL and ATOMO_ADMIN_PASSWORD are not set: no Admin is created")
            return
        }
        let address: EmailAddress
        do {
            address = try EmailAddress(email)
        } catch {
            throw ServerError.adminBootstrap("ATOMO_ADMIN_EMAIL: \(error)")
        }
        if try await authenticator.credentials.credential(forEmail: address) != nil { return }
        let password: String
        var generated = false
        if let configured = configuration.adminPassword {
            password = configured
        } else if configuration.mode == .development {
            password = Self.generatePassword()
            generated = true
        } else {
            throw ServerError.missingAdminCredentials
        }
        guard let role = schema.roles.first(where: { schema.grants(.manageUsers, to: $0) }) else {
            throw ServerError.adminBootstrap("no role of the schema is granted manageUsers, so no Admin can be made")
        }
        let user: User
        do {
            user = try await authenticator.register(email: email, password: password, roles: [role], as: .system)
        } catch {
            throw ServerError.adminBootstrap("\(error)")
        }
        logger.notice("created the first Admin", metadata: ["email": .string(email), "user": .string(user.id)])
        if generated {
            let message = """

                ┌──────────────────────────────────────────────────────────────────────┐
                  First Admin created (development mode; shown once):
                    email:    \(email)
                    password: \(password)
                  Set ATOMO_ADMIN_EMAIL and ATOMO_ADMIN_PASSWORD to choose them.
                └──────────────────────────────────────────────────────────────────────┘

                """
            FileHandle.standardError.write(Data(message.utf8))
        }
    }

    /// 20 characters from an unambiguous alphabet: about 115 bits.
    static func generatePassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
