import Foundation

/// Reads the token out of `Authorization: Bearer <token>` (RFC 6750): the one parser every entry
/// point uses — GraphQL over HTTP, the `/auth/*` routes, the websocket's `connection_init`.
///
/// ```swift
/// BearerToken.parse("Bearer eyJhbGciOi…")            // "eyJhbGciOi…"
/// BearerToken.parse("bearer  eyJ…")                   // "eyJ…" (the scheme is case-insensitive)
/// BearerToken.parse("Basic dXNlcjpwYXNz")            // nil
/// BearerToken.parse("eyJ…", schemeOptional: true)     // "eyJ…" (a websocket payload may omit it)
/// ```
public enum BearerToken {
    /// The token of an `Authorization` header value, or nil when the scheme is not `Bearer` or the
    /// token is empty. With `schemeOptional`, a value without a scheme is taken as the token itself.
    public static func parse(_ authorization: String, schemeOptional: Bool = false) -> String? {
        let trimmed = authorization.trimmingWhitespace()
        let parts = trimmed.split(separator: " ", maxSplits: 1)
        if parts.count == 2, parts[0].lowercased() == "bearer" {
            let token = String(parts[1]).trimmingWhitespace()
            return token.isEmpty || token.contains(" ") ? nil : token
        }
        guard schemeOptional, parts.count == 1, trimmed.lowercased() != "bearer" else { return nil }
        return trimmed.isEmpty ? nil : trimmed
    }
}
