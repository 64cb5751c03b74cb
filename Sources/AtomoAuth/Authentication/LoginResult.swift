public import AtomoSchema

/// What a successful login or refresh hands back: the tokens for the client and the session.
public struct LoginResult: Sendable, Hashable {
    /// The user, as of the login.
    public var user: User
    /// The session (its id is the access token's `sid`).
    public var session: Session
    /// The access token (a JWT), sent as `Authorization: Bearer …`.
    public var accessToken: String
    /// The access token's claims.
    public var accessClaims: AccessTokenClaims
    /// The refresh token: opaque, single-use (rotated by ``Authenticator/refresh(_:clientAddress:)``).
    /// Give it to the client once (an `HttpOnly` cookie); it is stored only as a hash.
    public var refreshToken: String

    /// Creates a result.
    public init(
        user: User, session: Session, accessToken: String, accessClaims: AccessTokenClaims, refreshToken: String
    ) {
        self.user = user
        self.session = session
        self.accessToken = accessToken
        self.accessClaims = accessClaims
        self.refreshToken = refreshToken
    }
}

/// A request's verified identity: a valid access token whose session is active.
public struct AuthenticatedUser: Sendable, Hashable {
    /// The token's claims.
    public var claims: AccessTokenClaims
    /// The session, as the store returned it.
    public var session: Session

    /// Creates the value.
    public init(claims: AccessTokenClaims, session: Session) {
        self.claims = claims
        self.session = session
    }

    /// The user id.
    public var userID: String { claims.subject }

    /// The principal every entry point hands to the ``PolicyEngine`` (and to AtomoContent).
    public var principal: Principal {
        Principal(userID: claims.subject, roles: claims.roles, tenant: claims.tenant, sessionID: claims.sessionID)
    }
}
