public import Foundation
import JWTKit
import Synchronization

/// Issues and verifies access tokens (JWTs) with one pinned algorithm, issuer and audience.
///
/// Verification refuses, with a typed ``TokenError``: tokens longer than
/// ``Configuration/maximumTokenLength``; anything that is not three strict base64url parts; a header
/// whose `alg` is not the key's algorithm (so `alg: none` and algorithm confusion — an HS256 token
/// "signed" with an ES256 public key — never reach a signature check); `crit` headers; a signature
/// that does not verify under the key; another issuer or audience; and `exp`, `nbf` and `iat`
/// outside the leeway. The signature is checked by jwt-kit's implementation of the algorithm;
/// parsing and pinning are done here, because jwt-kit selects keys by the token's own header.
///
/// Verification is synchronous and touches no shared mutable state, so it scales across cores.
///
/// ```swift
/// let tokens = await TokenService(configuration: .init(
///     key: try .hs256(secret: secret), issuer: "https://crm.example", audience: "crm"))
/// let token = try tokens.issue(subject: user.id, sessionID: session.id, roles: ["Sales"], tenant: nil)
/// let claims = try tokens.verify(token)
/// ```
public final class TokenService: Sendable {
    /// What tokens look like and how strictly they are checked.
    public struct Configuration: Sendable {
        /// The key, and with it the only algorithm accepted.
        public var key: TokenKey
        /// The `iss` written and required.
        public var issuer: String
        /// The `aud` written and required.
        public var audience: String
        /// How long an access token is valid. Default 15 minutes: tokens are checked against their
        /// session on every request, so a short lifetime mainly bounds how stale the roles in it can be.
        public var lifetime: Duration
        /// The clock skew allowed for `exp`, `nbf` and `iat`. Default 30 seconds.
        public var leeway: Duration
        /// The longest token accepted, in bytes. Default 8 KiB.
        public var maximumTokenLength: Int
        /// A `kid` header to write (not used for key selection: there is one key).
        public var keyID: String?
        /// How many verified tokens to remember, so that a client's next request with the same token
        /// skips the signature check and JSON decoding (the times are still checked on every call).
        /// Default 10,000; 0 turns the cache off. Only tokens that verified are cached, keyed by their
        /// exact text, so the cache cannot be poisoned; when full, it is emptied.
        public var verifiedTokenCacheSize: Int

        /// Creates a configuration.
        public init(
            key: TokenKey, issuer: String, audience: String, lifetime: Duration = .seconds(15 * 60),
            leeway: Duration = .seconds(30), maximumTokenLength: Int = 8192, keyID: String? = nil,
            verifiedTokenCacheSize: Int = 10_000
        ) {
            self.key = key
            self.issuer = issuer
            self.audience = audience
            self.lifetime = lifetime
            self.leeway = leeway
            self.maximumTokenLength = maximumTokenLength
            self.keyID = keyID
            self.verifiedTokenCacheSize = max(0, verifiedTokenCacheSize)
        }
    }

    private struct Header: Codable {
        var alg: String?
        var typ: String?
        var kid: String?
        var crit: [String]?
    }

    /// The configuration the service was made with.
    public let configuration: Configuration
    private let algorithm: any JWTAlgorithm
    private let algorithmName: String
    /// The base64url header this service writes; a token carrying exactly it needs no header parsing.
    private let issuedHeaderSegment: [UInt8]
    /// One decoder for every verification: JSONDecoder is thread-safe and keeps its options behind a lock.
    private let decoder = JSONDecoder()
    /// Tokens that verified, by their exact text. Their signature and claims cannot change; only the
    /// time checks depend on the moment, and those run on every call.
    private let verified = Mutex([String: AccessTokenClaims]())
    private let leewaySeconds: Double
    private let lifetimeSeconds: Double

    /// Creates the service; the key is handed to jwt-kit once, here.
    public init(configuration: Configuration) async {
        self.configuration = configuration
        self.algorithm = await configuration.key.makeAlgorithm()
        self.algorithmName = configuration.key.algorithm.rawValue
        let header = Header(alg: configuration.key.algorithm.rawValue, typ: "JWT", kid: configuration.keyID)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding a struct of optional strings cannot fail.
        let headerJSON = (try? encoder.encode(header)) ?? Data()
        self.issuedHeaderSegment = Array(Base64URL.encode(headerJSON).utf8)
        self.leewaySeconds = Self.seconds(configuration.leeway)
        self.lifetimeSeconds = Self.seconds(configuration.lifetime)
    }

    /// Issues a token for `subject` in session `sessionID`, valid from `now` for the configured lifetime.
    /// - Throws: ``TokenError/cannotSign(algorithm:)`` with a verify-only key.
    public func issue(
        subject: String, sessionID: String, roles: [String], tenant: String?, now: Date = Date()
    ) throws(TokenError) -> (token: String, claims: AccessTokenClaims) {
        let issued = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let claims = AccessTokenClaims(
            subject: subject, sessionID: sessionID, roles: roles, tenant: tenant, issuer: configuration.issuer,
            audience: [configuration.audience], issuedAt: issued, notBefore: issued,
            expiresAt: issued.addingTimeInterval(lifetimeSeconds.rounded(.down)))
        return (try sign(claims), claims)
    }

    /// Signs `claims` as they are (the caller chose the times and audience).
    /// - Throws: ``TokenError/cannotSign(algorithm:)`` with a verify-only key.
    public func sign(_ claims: AccessTokenClaims) throws(TokenError) -> String {
        guard configuration.key.canSign else { throw .cannotSign(algorithm: algorithmName) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload: Data
        do {
            payload = try encoder.encode(claims)
        } catch {
            throw .signingFailed(reason: "\(error)")
        }
        var signingInput = issuedHeaderSegment
        signingInput.append(UInt8(ascii: "."))
        signingInput.append(contentsOf: Base64URL.encode(payload).utf8)
        let signature: [UInt8]
        do {
            signature = try algorithm.sign(signingInput)
        } catch {
            throw .signingFailed(reason: "\(error)")
        }
        signingInput.append(UInt8(ascii: "."))
        signingInput.append(contentsOf: Base64URL.encode(signature).utf8)
        return String(decoding: signingInput, as: UTF8.self)
    }

    /// Verifies `token` at `now` and returns its claims.
    /// - Throws: ``TokenError`` for every way a token can be wrong (see the type's documentation).
    public func verify(_ token: String, now: Date = Date()) throws(TokenError) -> AccessTokenClaims {
        let cacheSize = configuration.verifiedTokenCacheSize
        if cacheSize > 0, let claims = verified.withLock({ $0[token] }) {
            try checkTimes(claims, now: now)
            return claims
        }
        var text = token
        let result = text.withUTF8 { bytes in Result { () throws(TokenError) in try verify(bytes: bytes, now: now) } }
        let claims = try result.get()
        if cacheSize > 0 {
            verified.withLock { cache in
                if cache.count >= cacheSize { cache.removeAll(keepingCapacity: true) }
                cache[token] = claims
            }
        }
        return claims
    }

    private func verify(bytes: UnsafeBufferPointer<UInt8>, now: Date) throws(TokenError) -> AccessTokenClaims {
        guard bytes.count <= configuration.maximumTokenLength else {
            throw .oversized(length: bytes.count, limit: configuration.maximumTokenLength)
        }
        guard let firstDot = bytes.firstIndex(of: UInt8(ascii: ".")),
            let secondDot = bytes[(firstDot + 1)...].firstIndex(of: UInt8(ascii: ".")),
            !bytes[(secondDot + 1)...].contains(UInt8(ascii: "."))
        else {
            throw .malformed(reason: "a JWT has three parts separated by dots")
        }
        let headerSegment = bytes[..<firstDot]
        let payloadSegment = bytes[(firstDot + 1)..<secondDot]
        let signatureSegment = bytes[(secondDot + 1)...]
        guard !headerSegment.isEmpty, !payloadSegment.isEmpty, !signatureSegment.isEmpty else {
            throw .malformed(reason: "a JWT part is empty")
        }

        // 1. The header must name the pinned algorithm, before any key is used.
        if !headerSegment.elementsEqual(issuedHeaderSegment) {
            try checkHeader(Array(headerSegment))
        }

        // 2. The signature, by jwt-kit's implementation of that one algorithm.
        guard let signature = Base64URL.decode(ArraySlice(signatureSegment)) else {
            throw .malformed(reason: "the signature is not base64url")
        }
        let signingInput = UnsafeBufferPointer(rebasing: bytes[..<secondDot])
        let valid: Bool
        do {
            valid = try algorithm.verify(signature, signs: signingInput)
        } catch {
            throw .invalidSignature
        }
        guard valid else { throw .invalidSignature }

        // 3. Only now is the payload parsed.
        guard let payload = Base64URL.decode(ArraySlice(payloadSegment)) else {
            throw .malformed(reason: "the payload is not base64url")
        }
        let claims: AccessTokenClaims
        if let scanned = ClaimsScanner.claims(from: payload) {
            claims = scanned
        } else {
            do {
                claims = try decoder.decode(AccessTokenClaims.self, from: Data(payload))
            } catch {
                throw .malformed(reason: "the payload is not AtomoAuth claims: \(error)")
            }
        }

        // 4. Issuer, audience and times.
        guard claims.issuer == configuration.issuer else {
            throw .wrongIssuer(found: claims.issuer, expected: configuration.issuer)
        }
        guard claims.audience.contains(configuration.audience) else {
            throw .wrongAudience(found: claims.audience, expected: configuration.audience)
        }
        try checkTimes(claims, now: now)
        return claims
    }

    private func checkTimes(_ claims: AccessTokenClaims, now: Date) throws(TokenError) {
        let nowSeconds = now.timeIntervalSince1970
        guard nowSeconds < claims.expiresAt.timeIntervalSince1970 + leewaySeconds else {
            throw .expired(at: claims.expiresAt, now: now)
        }
        guard nowSeconds + leewaySeconds >= claims.notBefore.timeIntervalSince1970 else {
            throw .notYetValid(from: claims.notBefore, now: now)
        }
        guard nowSeconds + leewaySeconds >= claims.issuedAt.timeIntervalSince1970 else {
            throw .issuedInFuture(at: claims.issuedAt, now: now)
        }
    }

    private func checkHeader(_ segment: [UInt8]) throws(TokenError) {
        guard let json = Base64URL.decode(segment[...]) else {
            throw .malformed(reason: "the header is not base64url")
        }
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: Data(json))
        } catch {
            throw .malformed(reason: "the header is not a JSON object of strings")
        }
        guard let alg = header.alg else { throw .malformed(reason: "the header has no alg") }
        guard alg == algorithmName else { throw .algorithmNotAllowed(found: alg, expected: algorithmName) }
        if let crit = header.crit { throw .unsupportedHeader(reason: "crit \(crit) is not understood") }
        if let typ = header.typ, typ.uppercased() != "JWT" {
            throw .unsupportedHeader(reason: "typ \(typ) is not JWT")
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
