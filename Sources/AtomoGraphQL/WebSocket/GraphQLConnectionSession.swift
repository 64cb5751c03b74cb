public import AtomoAuth
public import AtomoSchema
public import Foundation

/// Who a long-lived GraphQL connection acts for, and for how long: what the authorizer of a
/// ``GraphQLTransportWSConnection`` answers for a token.
///
/// ```swift
/// let connection = GraphQLTransportWSConnection(
///     service: service, authorize: GraphQLConnectionSession.authorizer(authenticator))
/// ```
public struct GraphQLConnectionSession: Sendable {
    /// The principal operations run as.
    public var principal: Principal
    /// When the credential stops being accepted — the token's expiry plus the clock-skew allowance,
    /// the moment HTTP refuses the same token; nil for one that does not expire.
    public var validUntil: Date?
    /// Returns when the session ends (logout, revocation, a disabled user, a role change) with a
    /// reason to report, or nil when cancelled; nil when nothing ends the session early.
    public var ended: (@Sendable () async -> String?)?

    /// Creates a session.
    public init(principal: Principal, validUntil: Date? = nil, ended: (@Sendable () async -> String?)? = nil) {
        self.principal = principal
        self.validUntil = validUntil
        self.ended = ended
    }

    /// Whether ``validUntil`` has passed.
    public var hasExpired: Bool { validUntil.map { $0 <= Date() } ?? false }

    /// The authorizer for AtomoAuth's tokens: no token is the anonymous principal (which access rules
    /// deny by default); a token (`Bearer ` optional) must pass ``AtomoAuth/Authenticator/authenticate(_:)``
    /// — signature, claims, an active session — and the session lasts until the token's expiry plus
    /// the token service's leeway, or until ``AtomoAuth/Authenticator/sessionEnd(_:)`` reports its end.
    public static func authorizer(
        _ authenticator: Authenticator
    ) -> @Sendable (String?) async -> GraphQLConnectionSession? {
        { token in
            guard let token, !token.isEmpty else { return GraphQLConnectionSession(principal: .anonymous) }
            guard let bearer = BearerToken.parse(token, schemeOptional: true),
                let user = try? await authenticator.authenticate(bearer)
            else { return nil }
            let leeway = authenticator.tokens.configuration.leeway
            let sessionID = user.session.id
            return GraphQLConnectionSession(
                principal: user.principal,
                validUntil: user.claims.expiresAt.addingTimeInterval(
                    Double(leeway.components.seconds) + Double(leeway.components.attoseconds) / 1e18),
                ended: { await authenticator.sessionEnd(sessionID).map(\.rawValue) })
        }
    }
}
