import ArgumentParser
import AtomoAuth
import AtomoSchema
import AtomoTooling
import Foundation

/// `atomo users list|create|set-roles|enable|reset-password`: user administration straight against a
/// data folder or a database URL, as the system principal — the way back in when no one who may
/// manage users can log in (the last Admin locked out, its password lost).
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "List and repair users directly in the data folder or database (recovery).",
        discussion: """
            These commands work without a server and without a token, as the system: anyone who can read \
            the data folder or the database can already do as much. Stop the server first when the log is \
            a SQLite file (with PostgreSQL it may keep running); sessions a change ends are refused by a \
            running server at once. Roles are checked against the schema's roles (--schema). See \
            docs/guide/security.md.
            """,
        subcommands: [List.self, Create.self, SetRoles.self, Enable.self, ResetPassword.self])

    /// Where the users are and which schema's roles apply.
    struct Target: ParsableArguments {
        @OptionGroup var schema: SchemaOption
        @OptionGroup var data: DataOptions
    }

    /// A new password, from the command line or from standard input.
    struct PasswordInput: ParsableArguments {
        @Option(help: "The password (visible in the process list; prefer --password-stdin).")
        var password: String?

        @Flag(help: "Read the password from the first line of standard input.")
        var passwordStdin = false

        func validate() throws {
            guard (password != nil) != passwordStdin else {
                throw ValidationError("give exactly one of --password and --password-stdin")
            }
        }

        func read() throws -> String {
            if let password { return password }
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("--password-stdin: standard input has no password")
            }
            return line
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every user: id, email, roles and whether it is disabled (tab-separated).")

        @OptionGroup var target: Target

        func run() async throws {
            try await UserDirectory.with(target, mustExist: true) { directory in
                print(["id", "email", "roles", "disabled"].joined(separator: "\t"))
                var after: String?
                while true {
                    let page = try await directory.authenticator.users(after: after, limit: 200)
                    for user in page {
                        print(
                            [user.id, user.email, user.roles.joined(separator: ","), user.isDisabled ? "yes" : "no"]
                                .joined(separator: "\t"))
                    }
                    guard page.count == 200, let last = page.last else { break }
                    after = last.id
                }
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user with a password and roles.")

        @OptionGroup var target: Target

        @Option(help: "The user's email address.")
        var email: String

        @OptionGroup var password: PasswordInput

        @Option(name: .customLong("role"), help: "A role of the schema (repeatable; at least one).")
        var roles: [String] = []

        @Option(help: "The user's tenant, if any.")
        var tenant: String?

        func validate() throws {
            if roles.isEmpty { throw ValidationError("give at least one --role") }
        }

        func run() async throws {
            let password = try password.read()
            try await UserDirectory.with(target, mustExist: false) { directory in
                try directory.checkRoles(roles)
                let user = try await directory.authenticator.register(
                    email: email, password: password, roles: roles, tenant: tenant, as: .system)
                print("created \(user.id) \(user.email) [\(user.roles.joined(separator: ","))]")
            }
        }
    }

    struct SetRoles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-roles", abstract: "Replace a user's roles (its sessions end).")

        @OptionGroup var target: Target

        @Argument(help: "The user's email address or id.")
        var user: String

        @Option(name: .customLong("role"), help: "A role of the schema (repeatable; at least one).")
        var roles: [String] = []

        func validate() throws {
            if roles.isEmpty { throw ValidationError("give at least one --role") }
        }

        func run() async throws {
            try await UserDirectory.with(target, mustExist: true) { directory in
                try directory.checkRoles(roles)
                let found = try await directory.find(user)
                try await directory.authenticator.changeRoles(userID: found.id, to: roles, as: .system)
                print("\(found.email): roles \(roles.joined(separator: ","))")
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled user.")

        @OptionGroup var target: Target

        @Argument(help: "The user's email address or id.")
        var user: String

        func run() async throws {
            try await UserDirectory.with(target, mustExist: true) { directory in
                let found = try await directory.find(user)
                try await directory.authenticator.enable(userID: found.id, as: .system)
                print("\(found.email): enabled")
            }
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password", abstract: "Set a user's password (its sessions end).")

        @OptionGroup var target: Target

        @Argument(help: "The user's email address or id.")
        var user: String

        @OptionGroup var password: PasswordInput

        func run() async throws {
            let password = try password.read()
            try await UserDirectory.with(target, mustExist: true) { directory in
                let found = try await directory.find(user)
                try await directory.authenticator.resetPassword(userID: found.id, newPassword: password, as: .system)
                print("\(found.email): password reset")
            }
        }
    }
}

/// The users of a data folder or database, opened for the `users` commands.
struct UserDirectory {
    let authenticator: Authenticator
    let roles: [String]

    /// Opens the log and AtomoAuth's tables the target names, runs `body`, closes; a failure of
    /// `body` is printed as `atomo users: <message>` and exits 1.
    static func with(
        _ target: UsersCommand.Target, mustExist: Bool, _ body: (UserDirectory) async throws -> Void
    ) async throws {
        let schema = try loadSchema(target.schema).schema
        let store: OpenEventStore
        if mustExist {
            store = try await openLog(target.data)
        } else {
            store = try await OpenEventStore.open(target.data.location)
        }
        var failure: (any Error)?
        do {
            let credentials = SQLCredentialStore(database: store.database)
            try await credentials.migrate()
            let sessions = SQLSessionStore(database: store.database)
            try await sessions.migrate()
            // The commands issue no tokens: a throwaway key is enough.
            let tokens = await TokenService(
                configuration: .init(key: .generateHS256(), issuer: "atomo", audience: "atomo-api"))
            let authenticator = try await Authenticator(
                events: store.store, credentials: credentials, sessions: sessions, tokens: tokens,
                hasher: try PasswordHasher(), configuration: .init(roles: schema.roles),
                policy: PolicyEngine(schema: schema))
            try await body(UserDirectory(authenticator: authenticator, roles: schema.roles))
        } catch {
            failure = error
        }
        await store.close()
        guard let failure else { return }
        if failure is ExitCode || failure is ValidationError { throw failure }
        FileHandle.standardError.write(Data("atomo users: \(failure)\n".utf8))
        throw ExitCode.failure
    }

    /// Refuses a role the schema does not declare, naming the ones it does.
    func checkRoles(_ requested: [String]) throws {
        for role in requested where !roles.contains(role) {
            throw UserCommandError("unknown role \(role); the schema's roles are: \(roles.joined(separator: ", "))")
        }
    }

    /// The user with this email address (any case) or id.
    func find(_ emailOrID: String) async throws -> User {
        if emailOrID.contains("@") {
            if let credential = try await authenticator.credentials.credential(forEmail: try EmailAddress(emailOrID)),
                let user = try await authenticator.user(id: credential.userID)
            {
                return user
            }
        } else if let user = try await authenticator.user(id: emailOrID) {
            return user
        }
        throw UserCommandError("no user has the email address or id \(emailOrID)")
    }
}

/// A `users` command's refusal, printed as it is.
struct UserCommandError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
