public import Foundation

/// The claims of an AtomoAuth access token.
///
/// On the wire (the JWT payload): `sub` (the user id), `sid` (the session id), `roles`, `tenant`
/// (omitted when nil), `iss`, `aud` (a string, or an array when there are several), and the times
/// `iat`, `nbf` and `exp` as seconds since 1970 (RFC 7519 NumericDate).
///
/// ```swift
/// let claims = try tokens.verify(token)
/// claims.subject     // "0190…"
/// claims.sessionID   // checked against the session store on every request
/// ```
public struct AccessTokenClaims: Sendable, Hashable, Codable {
    /// The user the token was issued to (`sub`).
    public var subject: String
    /// The session the token belongs to (`sid`).
    public var sessionID: String
    /// The user's roles when the token was issued.
    public var roles: [String]
    /// The user's tenant, if any.
    public var tenant: String?
    /// Who issued the token (`iss`).
    public var issuer: String
    /// Who the token is for (`aud`).
    public var audience: [String]
    /// When it was issued (`iat`).
    public var issuedAt: Date
    /// When it becomes valid (`nbf`).
    public var notBefore: Date
    /// When it expires (`exp`).
    public var expiresAt: Date

    /// Creates claims.
    public init(
        subject: String, sessionID: String, roles: [String], tenant: String?, issuer: String, audience: [String],
        issuedAt: Date, notBefore: Date, expiresAt: Date
    ) {
        self.subject = subject
        self.sessionID = sessionID
        self.roles = roles
        self.tenant = tenant
        self.issuer = issuer
        self.audience = audience
        self.issuedAt = issuedAt
        self.notBefore = notBefore
        self.expiresAt = expiresAt
    }

    enum CodingKeys: String, CodingKey {
        case subject = "sub"
        case sessionID = "sid"
        case roles
        case tenant
        case issuer = "iss"
        case audience = "aud"
        case issuedAt = "iat"
        case notBefore = "nbf"
        case expiresAt = "exp"
    }

    /// Decodes the JWT payload form. `roles` may be missing (no roles); `nbf` may be missing (then
    /// `iat`); `aud` may be a string or an array of strings; times may be integers or decimals.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        subject = try container.decode(String.self, forKey: .subject)
        sessionID = try container.decode(String.self, forKey: .sessionID)
        roles = try container.decodeIfPresent([String].self, forKey: .roles) ?? []
        tenant = try container.decodeIfPresent(String.self, forKey: .tenant)
        issuer = try container.decode(String.self, forKey: .issuer)
        if let single = try? container.decode(String.self, forKey: .audience) {
            audience = [single]
        } else {
            audience = try container.decode([String].self, forKey: .audience)
        }
        issuedAt = Date(timeIntervalSince1970: try container.decode(Double.self, forKey: .issuedAt))
        notBefore =
            try container.decodeIfPresent(Double.self, forKey: .notBefore).map(Date.init(timeIntervalSince1970:))
            ?? issuedAt
        expiresAt = Date(timeIntervalSince1970: try container.decode(Double.self, forKey: .expiresAt))
    }

    /// Encodes the JWT payload form, with whole seconds for the times.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(subject, forKey: .subject)
        try container.encode(sessionID, forKey: .sessionID)
        try container.encode(roles, forKey: .roles)
        try container.encodeIfPresent(tenant, forKey: .tenant)
        try container.encode(issuer, forKey: .issuer)
        if audience.count == 1 {
            try container.encode(audience[0], forKey: .audience)
        } else {
            try container.encode(audience, forKey: .audience)
        }
        try container.encode(Int64(issuedAt.timeIntervalSince1970.rounded(.down)), forKey: .issuedAt)
        try container.encode(Int64(notBefore.timeIntervalSince1970.rounded(.down)), forKey: .notBefore)
        try container.encode(Int64(expiresAt.timeIntervalSince1970.rounded(.down)), forKey: .expiresAt)
    }
}
