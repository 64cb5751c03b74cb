public import AtomoEvents
public import AtomoSchema
public import Foundation

/// Registers users, logs them in, checks every request, refreshes, and logs out: the one place a
/// host calls for authentication.
///
/// - Users are event-sourced (`User-<id>` streams: ``UserRegistered``, ``UserRolesChanged``,
///   ``UserDisabled``, ``UserEnabled``, ``UserPasswordChanged``) and so are sessions
///   (`Session-<id>`: ``SessionStarted``, ``SessionEnded``) — the audit trail of authentication.
///   Password hashes and refresh tokens are in the credentials and session tables only.
/// - Login verifies the password (argon2id, or a legacy bcrypt/argon2i hash, which is then re-hashed
///   to argon2id), starts a session, and issues an access token and a refresh token. Unknown emails
///   cost the same work (a verification against a dummy hash made with the same parameters) and the
///   same throttle accounting as wrong passwords, so neither timing nor throttling tells which
///   emails exist.
/// - ``authenticate(_:)`` verifies the token and looks its session up on every request, so logout,
///   revoke-all, a password change, a role change or disabling the user take effect at once.
///
/// ```swift
/// let auth = try await Authenticator(events: store, credentials: credentials, sessions: sessions,
///                                    tokens: tokens, hasher: PasswordHasher())
/// _ = try await auth.register(email: "ada@example.com", password: "a long passphrase", roles: ["Sales"])
/// let login = try await auth.login(email: "ada@example.com", password: "a long passphrase",
///                                  clientAddress: "203.0.113.9")
/// let user = try await auth.authenticate(login.accessToken)   // on every request
/// policy.decide(AccessRequest(principal: user.principal, operation: .update, entity: contact))
/// try await auth.logout(sessionID: user.session.id)
/// ```
public final class Authenticator: Sendable {
    /// Lifetimes, rules and the clock.
    public struct Configuration: Sendable {
        /// How long a session (and so its refresh tokens) lasts from login. Default 30 days.
        public var sessionLifetime: Duration
        /// The rules for new passwords.
        public var passwordPolicy: PasswordPolicy
        /// The roles users may hold (the schema's `roles`). Default `Admin, Manager, Sales, Support, Viewer`.
        public var roles: [String]
        /// The login throttle's limits.
        public var throttle: LoginThrottle.Configuration
        /// The clock (tests move it).
        public var now: @Sendable () -> Date

        /// Creates a configuration.
        public init(
            sessionLifetime: Duration = .seconds(30 * 24 * 3600), passwordPolicy: PasswordPolicy = PasswordPolicy(),
            roles: [String] = Schema.defaultRoles,
            throttle: LoginThrottle.Configuration = LoginThrottle.Configuration(),
            now: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.sessionLifetime = sessionLifetime
            self.passwordPolicy = passwordPolicy
            self.roles = roles
            self.throttle = throttle
            self.now = now
        }
    }

    /// The event store users and sessions are recorded in.
    public let events: any EventStore
    /// The credentials table.
    public let credentials: SQLCredentialStore
    /// The session store.
    public let sessions: any SessionStore
    /// Issues and verifies access tokens.
    public let tokens: TokenService
    /// Hashes and verifies passwords.
    public let hasher: PasswordHasher
    /// The login throttle.
    public let throttle: LoginThrottle
    /// The configuration.
    public let configuration: Configuration
    /// The policy user administration asks for ``AtomoSchema/PlatformCapability/manageUsers``: the
    /// host's (shared with the content engine and GraphQL), or one over the configured roles, whose
    /// first role holds every capability.
    public let policy: any AccessPolicy

    private let users: AggregateRepository<User>
    /// Serializes the changes that can take `manageUsers` away (role changes, disabling), so that the
    /// last-administrator check and the change it guards are one step in this process.
    private let administration = AsyncSerialLock()
    private let codec = JSONEventCodec()
    private let sessionEnds = SessionEndSignal()
    /// A hash of a random password, made with the hasher's parameters: unknown emails are verified
    /// against it so that they cost what a wrong password costs.
    private let dummyHash: String

    /// Creates an authenticator. Makes the dummy hash (one argon2id hash) before returning.
    /// The credential and session stores must be migrated.
    public init(
        events: any EventStore, credentials: SQLCredentialStore, sessions: any SessionStore, tokens: TokenService,
        hasher: PasswordHasher, configuration: Configuration = Configuration(), policy: (any AccessPolicy)? = nil
    ) async throws {
        self.policy = policy ?? PolicyEngine(schema: Schema(roles: configuration.roles))
        self.events = events
        self.credentials = credentials
        self.sessions = sessions
        self.tokens = tokens
        self.hasher = hasher
        self.configuration = configuration
        self.throttle = LoginThrottle(configuration: configuration.throttle)
        self.users = AggregateRepository<User>(store: events)
        self.dummyHash = try await hasher.hash(SecretToken.random(byteCount: 24))
    }

    // MARK: - Users

    /// Registers a user with a password that meets the policy; `principal` (the administrator, or
    /// ``AtomoSchema/Principal/system`` for bootstrap and seeding) must hold `manageUsers` and is
    /// recorded as the actor.
    ///
    /// - Throws: ``AuthenticationError/forbidden(reason:)``, ``AuthenticationError/invalidEmail(reason:)``,
    ///   ``AuthenticationError/emailTaken(_:)``, ``AuthenticationError/unknownRole(_:)``, or
    ///   ``PasswordPolicyError/rejected(_:)`` listing every rule the password breaks.
    @discardableResult
    public func register(
        email: String, password: String, roles: [String], tenant: String? = nil, as principal: Principal
    ) async throws -> User {
        let actor = try requireManageUsers(principal)
        let email = try EmailAddress(email)
        try checkRoles(roles)
        try configuration.passwordPolicy.check(password, email: email.value)
        let hash = try await hasher.hash(password)
        return try await create(
            email: email, passwordHash: hash, roles: roles, tenant: tenant, imported: false, actor: actor)
    }

    /// Registers a user with a password hash from another system (argon2id, argon2i or bcrypt
    /// `$2a$`/`$2b$`/`$2y$`). The hash is re-hashed to argon2id at the user's first login.
    ///
    /// - Throws: ``AuthenticationError/unsupportedPasswordHash(reason:)`` and the errors of ``register(email:password:roles:tenant:as:)``.
    @discardableResult
    public func importUser(
        email: String, passwordHash: String, roles: [String], tenant: String? = nil, as principal: Principal
    ) async throws -> User {
        let actor = try requireManageUsers(principal)
        let email = try EmailAddress(email)
        try checkRoles(roles)
        do {
            _ = try PasswordHashFormat(parsing: passwordHash)
        } catch {
            throw AuthenticationError.unsupportedPasswordHash(reason: error.description)
        }
        return try await create(
            email: email, passwordHash: passwordHash, roles: roles, tenant: tenant, imported: true, actor: actor)
    }

    private func create(
        email: EmailAddress, passwordHash: String, roles: [String], tenant: String?, imported: Bool, actor: String?
    ) async throws -> User {
        let userID = UUID.timeOrdered().uuidString.lowercased()
        let now = configuration.now()
        // The unique email index is the guard against duplicates, so the credentials go first; if the
        // event cannot be written, they are removed again.
        try await credentials.insert(userID: userID, email: email, passwordHash: passwordHash, at: now)
        var root = AggregateRoot(state: User(id: userID), version: nil)
        root.record(
            UserRegistered(userID: userID, email: email.value, roles: roles, tenant: tenant, imported: imported))
        do {
            try await users.save(&root, metadata: EventMetadata(actor: actor ?? userID, tenant: tenant))
        } catch {
            _ = try? await credentials.delete(userID: userID)
            throw error
        }
        return root.state
    }

    /// A page of registered users in registration order (their ids are time-ordered), after the user
    /// with id `after` (exclusive), at most `limit`. Served by the credentials table's primary key and
    /// one stream read per user, so its cost does not grow with the event log.
    ///
    /// ```swift
    /// let firstPage = try await authenticator.users(after: nil, limit: 50)
    /// let next = try await authenticator.users(after: firstPage.last?.id, limit: 50)
    /// ```
    public func users(after: String? = nil, limit: Int) async throws -> [User] {
        var result: [User] = []
        for id in try await credentials.userIDs(after: after, limit: limit) {
            if let user = try await user(id: id) { result.append(user) }
        }
        return result
    }

    /// The stored sessions of `userID`, ended or not, newest first, at most `limit`.
    public func sessions(userID: String, limit: Int = 100) async throws -> [Session] {
        try await sessions.sessions(userID: userID, limit: limit)
    }

    /// The user with `userID`, or nil.
    public func user(id userID: String) async throws -> User? {
        let user = try await users.load(userID).state
        return user.isRegistered ? user : nil
    }

    /// Replaces a user's roles and ends their sessions, so that no token with the old roles lives on.
    /// `principal` must hold `manageUsers`. A change that would leave no enabled user holding
    /// `manageUsers` is refused (see ``requireAnotherAdministrator(besides:)``).
    /// - Throws: ``AuthenticationError/forbidden(reason:)``, ``AuthenticationError/unknownUser(userID:)``,
    ///   ``AuthenticationError/unknownRole(_:)``, ``AuthenticationError/lastAdministrator(userID:)``.
    public func changeRoles(userID: String, to roles: [String], as principal: Principal) async throws {
        let actor = try requireManageUsers(principal)
        try checkRoles(roles)
        try await administration.withLock {
            var root = try await loadRegistered(userID)
            guard root.state.roles != roles else { return }
            if !root.state.isDisabled && holdsManageUsers(root.state) && !holdsManageUsers(roles: roles) {
                try await requireAnotherAdministrator(besides: userID)
            }
            root.record(UserRolesChanged(previous: root.state.roles, roles: roles))
            try await users.save(&root, metadata: EventMetadata(actor: actor, tenant: root.state.tenant))
        }
        try await endAll(userID: userID, reason: .rolesChanged, actor: actor)
    }

    /// Disables a user: logins are refused and every session ends at once. `principal` must hold
    /// `manageUsers`. Disabling the last enabled user holding `manageUsers` is refused.
    /// - Throws: ``AuthenticationError/forbidden(reason:)``, ``AuthenticationError/unknownUser(userID:)``,
    ///   ``AuthenticationError/lastAdministrator(userID:)``.
    public func disable(userID: String, reason: String, as principal: Principal) async throws {
        let actor = try requireManageUsers(principal)
        try await administration.withLock {
            var root = try await loadRegistered(userID)
            if !root.state.isDisabled {
                if holdsManageUsers(root.state) { try await requireAnotherAdministrator(besides: userID) }
                root.record(UserDisabled(reason: reason))
                try await users.save(&root, metadata: EventMetadata(actor: actor, tenant: root.state.tenant))
            }
        }
        try await endAll(userID: userID, reason: .userDisabled, actor: actor)
    }

    /// Whether `user`'s roles grant ``AtomoSchema/PlatformCapability/manageUsers`` under ``policy``
    /// (whether the user is enabled is not considered).
    public func holdsManageUsers(_ user: User) -> Bool {
        holdsManageUsers(roles: user.roles, userID: user.id, tenant: user.tenant)
    }

    private func holdsManageUsers(roles: [String], userID: String? = nil, tenant: String? = nil) -> Bool {
        let principal = Principal(userID: userID, roles: roles, tenant: tenant)
        if case .allow = policy.decide(.manageUsers, for: principal) { return true }
        return false
    }

    /// The enabled users who hold ``AtomoSchema/PlatformCapability/manageUsers``, in registration
    /// order, at most `limit` (a scan of the user listing, a page at a time: sized for the user
    /// counts of a recovery, not for a directory of millions).
    public func administrators(limit: Int = 100) async throws -> [User] {
        var found: [User] = []
        var after: String?
        while found.count < limit {
            let page = try await users(after: after, limit: 200)
            found.append(contentsOf: page.filter { !$0.isDisabled && holdsManageUsers($0) })
            guard page.count == 200, let last = page.last else { break }
            after = last.id
        }
        return Array(found.prefix(limit))
    }

    /// Throws ``AuthenticationError/lastAdministrator(userID:)`` unless an enabled user other than
    /// `userID` holds `manageUsers`: the guard against an installation nobody can administer.
    ///
    /// The scan stops at the first such user (administrators are usually among the first users
    /// registered). Callers hold ``administration``, so two concurrent changes in this process
    /// cannot each count on the other's administrator; two server nodes changing the last two
    /// administrators at the same instant are not serialized (the `atomo users` commands recover).
    private func requireAnotherAdministrator(besides userID: String) async throws {
        var after: String?
        while true {
            let page = try await users(after: after, limit: 100)
            if page.contains(where: { $0.id != userID && !$0.isDisabled && holdsManageUsers($0) }) { return }
            guard page.count == 100, let last = page.last else { break }
            after = last.id
        }
        throw AuthenticationError.lastAdministrator(userID: userID)
    }

    /// Enables a disabled user. `principal` must hold `manageUsers`.
    /// - Throws: ``AuthenticationError/forbidden(reason:)``, ``AuthenticationError/unknownUser(userID:)``.
    public func enable(userID: String, as principal: Principal) async throws {
        let actor = try requireManageUsers(principal)
        var root = try await loadRegistered(userID)
        guard root.state.isDisabled else { return }
        root.record(UserEnabled())
        try await users.save(&root, metadata: EventMetadata(actor: actor, tenant: root.state.tenant))
    }

    /// Changes a user's password after checking the current one; every session of the user ends.
    /// - Throws: ``AuthenticationError/invalidCredentials`` when `currentPassword` is wrong,
    ///   ``PasswordPolicyError/rejected(_:)`` when the new one breaks the policy.
    public func changePassword(userID: String, currentPassword: String, newPassword: String) async throws {
        let root = try await loadRegistered(userID)
        guard let credential = try await credentials.credential(userID: userID),
            try await hasher.verify(currentPassword, against: credential.passwordHash)
        else { throw AuthenticationError.invalidCredentials }
        try await setPassword(root, newPassword, actor: userID)
    }

    /// Sets a user's password without the current one (an administrator's reset, or — as
    /// ``AtomoSchema/Principal/system`` — a reset link the host verified); every session of the user
    /// ends. `principal` must hold `manageUsers`.
    /// - Throws: ``AuthenticationError/forbidden(reason:)``, ``AuthenticationError/unknownUser(userID:)``,
    ///   ``PasswordPolicyError/rejected(_:)``.
    public func resetPassword(userID: String, newPassword: String, as principal: Principal) async throws {
        let actor = try requireManageUsers(principal)
        try await setPassword(try await loadRegistered(userID), newPassword, actor: actor)
    }

    private func setPassword(_ root: AggregateRoot<User>, _ password: String, actor: String?) async throws {
        var root = root
        try configuration.passwordPolicy.check(password, email: root.state.email)
        let hash = try await hasher.hash(password)
        try await credentials.updatePasswordHash(userID: root.id, to: hash, at: configuration.now())
        root.record(UserPasswordChanged(reason: .changed, scheme: "argon2id \(hasher.configuration.parameters)"))
        try await users.save(&root, metadata: EventMetadata(actor: actor, tenant: root.state.tenant))
        try await endAll(userID: root.id, reason: .passwordChanged, actor: actor)
    }

    // MARK: - Login, requests, refresh, logout

    /// Logs a user in.
    ///
    /// The account's throttle is asked before the password work; the client address's after it, so a
    /// correct password is not refused because of other accounts' failures from the same address
    /// (see ``LoginThrottle``).
    ///
    /// - Parameter clientAddress: the client's IP address, for per-address throttling and the audit trail.
    /// - Throws: ``AuthenticationError/invalidCredentials`` (unknown email or wrong password, alike),
    ///   ``AuthenticationError/tooManyAttempts(retryAfter:)``, ``AuthenticationError/locked(until:)``,
    ///   ``AuthenticationError/userDisabled(userID:)``.
    public func login(
        email rawEmail: String, password: String, clientAddress: String? = nil
    ) async throws -> LoginResult {
        let email = try? EmailAddress(rawEmail)
        // A malformed "email" is still throttled, under a bounded key.
        let accountKey = email?.key ?? String(rawEmail.lowercased().prefix(EmailAddress.maximumLength))
        let now = configuration.now()
        // The account's limits first, before any password work; the address's come after it (see
        // LoginThrottle: a noisy address must not refuse someone else's correct password).
        switch throttle.check(account: accountKey, now: now) {
        case .allowed: break
        case .delayed(let retryAfter): throw AuthenticationError.tooManyAttempts(retryAfter: retryAfter)
        case .locked(let until): throw AuthenticationError.locked(until: until)
        }
        // No stored password is longer than the policy's maximum, so a longer one cannot match: refuse
        // it without hashing megabytes (the answer does not depend on the account, so it reveals nothing).
        guard password.unicodeScalars.count <= configuration.passwordPolicy.maximumLength else {
            try Self.refuse(
                throttle.conclude(account: accountKey, clientAddress: clientAddress, passwordMatched: false, now: now))
        }
        let credential = try await email.asyncFlatMap { try await credentials.credential(forEmail: $0) }
        // The same work whether or not the email exists: one verification at the current parameters.
        let matches = try await hasher.verify(password, against: credential?.passwordHash ?? dummyHash)
        var root: AggregateRoot<User>?
        if matches, let credential {
            let loaded = try await users.load(credential.userID)
            if loaded.state.isRegistered { root = loaded }
        }
        let verdict = throttle.conclude(
            account: accountKey, clientAddress: clientAddress, passwordMatched: root != nil, now: now)
        guard verdict == .accepted, var root, let credential else { try Self.refuse(verdict) }
        guard !root.state.isDisabled else { throw AuthenticationError.userDisabled(userID: credential.userID) }

        if hasher.needsRehash(credential.passwordHash) {
            // Transparent upgrade: the password is known right now, and only now.
            let upgraded = try await hasher.hash(password)
            try await credentials.updatePasswordHash(userID: credential.userID, to: upgraded, at: now)
            root.record(UserPasswordChanged(reason: .rehashed, scheme: "argon2id \(hasher.configuration.parameters)"))
            try await users.save(&root, metadata: EventMetadata(actor: credential.userID, tenant: root.state.tenant))
        }
        return try await startSession(for: root.state, clientAddress: clientAddress, now: now)
    }

    /// Checks a request's access token: its signature and claims, then its session, which must be
    /// active and belong to the token's subject.
    ///
    /// - Throws: ``AuthenticationError/invalidToken(_:)`` or ``AuthenticationError/sessionInactive(sessionID:)``.
    public func authenticate(_ accessToken: String) async throws -> AuthenticatedUser {
        let now = configuration.now()
        let claims: AccessTokenClaims
        do {
            claims = try tokens.verify(accessToken, now: now)
        } catch {
            throw AuthenticationError.invalidToken(error)
        }
        guard let session = try await sessions.session(id: claims.sessionID), session.userID == claims.subject,
            session.isActive(at: now)
        else { throw AuthenticationError.sessionInactive(sessionID: claims.sessionID) }
        return AuthenticatedUser(claims: claims, session: session)
    }

    /// Exchanges a refresh token for a new access token and a new refresh token (rotation). The
    /// presented token is used up; presenting it again ends the whole session.
    ///
    /// - Throws: ``AuthenticationError/invalidRefreshToken``, ``AuthenticationError/refreshTokenReused(sessionID:)``,
    ///   ``AuthenticationError/userDisabled(userID:)``.
    public func refresh(_ refreshToken: String, clientAddress: String? = nil) async throws -> LoginResult {
        let now = configuration.now()
        let next = RefreshTokenHash.makeToken()
        switch try await sessions.rotateRefreshToken(RefreshTokenHash(of: refreshToken), to: next.hash, at: now) {
        case .unknown, .sessionInactive:
            throw AuthenticationError.invalidRefreshToken
        case .reuseDetected(let session):
            try await record(
                SessionEnded(sessionID: session.id, userID: session.userID, reason: .refreshTokenReused),
                session: session.id, actor: session.userID, tenant: session.tenant)
            sessionEnds.signal(session.id, reason: .refreshTokenReused)
            throw AuthenticationError.refreshTokenReused(sessionID: session.id)
        case .rotated(let session):
            guard let user = try await user(id: session.userID), !user.isDisabled else {
                if try await sessions.end(sessionID: session.id, reason: .userDisabled, at: now) != nil {
                    try await record(
                        SessionEnded(sessionID: session.id, userID: session.userID, reason: .userDisabled),
                        session: session.id, actor: session.userID, tenant: session.tenant)
                    sessionEnds.signal(session.id, reason: .userDisabled)
                }
                throw AuthenticationError.userDisabled(userID: session.userID)
            }
            let (token, claims) = try tokens.issue(
                subject: user.id, sessionID: session.id, roles: user.roles, tenant: user.tenant, now: now)
            return LoginResult(
                user: user, session: session, accessToken: token, accessClaims: claims, refreshToken: next.token)
        }
    }

    /// Ends one session (logout). Tokens of the session are refused from now on.
    /// - Returns: whether an active session was ended.
    @discardableResult
    public func logout(sessionID: String, reason: SessionEndReason = .logout, actor: String? = nil) async throws -> Bool
    {
        guard let ended = try await sessions.end(sessionID: sessionID, reason: reason, at: configuration.now()) else {
            return false
        }
        sessionEnds.signal(ended.id, reason: reason)
        try await record(
            SessionEnded(sessionID: ended.id, userID: ended.userID, reason: reason),
            session: ended.id, actor: actor ?? ended.userID, tenant: ended.tenant)
        return true
    }

    /// Ends every session of a user ("log out everywhere").
    /// - Returns: the sessions ended.
    @discardableResult
    public func logoutEverywhere(userID: String, actor: String? = nil) async throws -> [Session] {
        try await endAll(userID: userID, reason: .revokedAll, actor: actor)
    }

    /// Returns when the session ends — a logout, a revocation, the user disabled, a role or password
    /// change, a reused refresh token — or at once when it is not active now; nil when the calling task
    /// is cancelled first. Long-lived connections wait on it to close the moment their session ends.
    ///
    /// Ends this process records wake the waiter at once; an end recorded by another node (a shared
    /// PostgreSQL session store) is seen by ``authenticate(_:)``, which connections call on each message.
    public func sessionEnd(_ sessionID: String) async -> SessionEndReason? {
        await sessionEnds.wait(for: sessionID) { [sessions, configuration] in
            let stored: Session?
            do {
                stored = try await sessions.session(id: sessionID)
            } catch {
                return nil  // the store did not answer: the next message's check decides
            }
            guard let session = stored else { return .revoked }
            return session.isActive(at: configuration.now()) ? nil : session.endReason ?? .revoked
        }
    }

    @discardableResult
    private func endAll(userID: String, reason: SessionEndReason, actor: String?) async throws -> [Session] {
        let ended = try await sessions.endAll(userID: userID, reason: reason, at: configuration.now())
        for session in ended { sessionEnds.signal(session.id, reason: reason) }
        for session in ended {
            try await record(
                SessionEnded(sessionID: session.id, userID: userID, reason: reason),
                session: session.id, actor: actor ?? userID, tenant: session.tenant)
        }
        return ended
    }

    private func startSession(for user: User, clientAddress: String?, now: Date) async throws -> LoginResult {
        let session = Session(
            id: Session.makeID(), userID: user.id, tenant: user.tenant, createdAt: now,
            expiresAt: now.addingTimeInterval(configuration.sessionLifetime.seconds))
        let refresh = RefreshTokenHash.makeToken()
        try await sessions.create(session, refreshToken: refresh.hash)
        try await record(
            SessionStarted(
                sessionID: session.id, userID: user.id, tenant: user.tenant, expiresAt: session.expiresAt,
                clientAddress: clientAddress),
            session: session.id, actor: user.id, tenant: user.tenant,
            custom: clientAddress.map { ["clientAddress": $0] } ?? [:])
        let (token, claims) = try tokens.issue(
            subject: user.id, sessionID: session.id, roles: user.roles, tenant: user.tenant, now: now)
        return LoginResult(
            user: user, session: session, accessToken: token, accessClaims: claims, refreshToken: refresh.token)
    }

    private func record(
        _ event: some Event, session sessionID: String, actor: String?, tenant: String?, custom: [String: String] = [:]
    ) async throws {
        let data = try codec.encode(event, metadata: EventMetadata(actor: actor, tenant: tenant, custom: custom))
        try await events.append([data], to: try StreamName(category: SessionRecord.category, id: sessionID))
    }

    private func loadRegistered(_ userID: String) async throws -> AggregateRoot<User> {
        let root = try await users.load(userID)
        guard root.state.isRegistered else { throw AuthenticationError.unknownUser(userID: userID) }
        return root
    }

    /// The error for a refused login: invalid credentials, or the client address's delay or lock.
    private static func refuse(_ verdict: LoginThrottle.Verdict) throws(AuthenticationError) -> Never {
        switch verdict {
        case .accepted, .refused(.allowed): throw .invalidCredentials
        case .refused(.delayed(let retryAfter)): throw .tooManyAttempts(retryAfter: retryAfter)
        case .refused(.locked(let until)): throw .locked(until: until)
        }
    }

    /// The acting principal's name for events, after the policy allowed it `manageUsers`.
    private func requireManageUsers(_ principal: Principal) throws(AuthenticationError) -> String {
        if case .deny(let reason) = policy.decide(.manageUsers, for: principal) { throw .forbidden(reason: reason) }
        return principal.actorName
    }

    private func checkRoles(_ roles: [String]) throws(AuthenticationError) {
        for role in roles where !configuration.roles.contains(role) { throw .unknownRole(role) }
    }
}

extension Optional {
    fileprivate func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
