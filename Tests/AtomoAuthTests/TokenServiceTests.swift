import AtomoAuth
import Crypto
import Foundation
import Testing

/// Builds tokens by hand, the way an attacker would.
enum Forge {
    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func segment(_ json: String) -> String { base64URL(Array(json.utf8)) }

    static func hs256(header: String, payload: String, secret: [UInt8]) -> String {
        let input = segment(header) + "." + segment(payload)
        let mac = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: secret))
        return input + "." + base64URL(Array(mac))
    }

    static func payload(
        issuer: String = "https://atomo.test", audience: String = "crm", issuedAt: Date, expiresIn: Double = 900,
        notBefore: Date? = nil, roles: [String] = ["Viewer"]
    ) -> String {
        let iat = Int(issuedAt.timeIntervalSince1970)
        let nbf = Int((notBefore ?? issuedAt).timeIntervalSince1970)
        let rolesJSON = roles.map { "\"\($0)\"" }.joined(separator: ",")
        return """
            {"aud":"\(audience)","exp":\(iat + Int(expiresIn)),"iat":\(iat),"iss":"\(issuer)","nbf":\(nbf),\
            "roles":[\(rolesJSON)],"sid":"session-1","sub":"user-1"}
            """
    }
}

@Suite("Access tokens")
struct TokenServiceTests {
    let now = Date(timeIntervalSince1970: 1_900_000_000)
    let secret = Array("0123456789abcdef0123456789abcdef".utf8)

    func service(_ key: TokenKey, issuer: String = "https://atomo.test", audience: String = "crm") async -> TokenService
    {
        await TokenService(configuration: .init(key: key, issuer: issuer, audience: audience))
    }

    @Test(
        "issued tokens verify and carry sub, sid, roles, tenant, iss, aud, iat, nbf, exp",
        arguments: TokenKey.Algorithm.allCases)
    func roundTrip(algorithm: TokenKey.Algorithm) async throws {
        let key: TokenKey =
            switch algorithm {
            case .hs256: try .hs256(secret: secret)
            case .es256: .generateES256()
            case .edDSA: try .generateEdDSA()
            }
        let tokens = await service(key)
        let (token, claims) = try tokens.issue(
            subject: "user-1", sessionID: "s-1", roles: ["Sales", "Support"], tenant: "acme", now: now)
        let header =
            try JSONSerialization.jsonObject(
                with: try #require(Data(base64Encoded: padded(String(token.split(separator: ".")[0])))))
            as? [String: Any]
        #expect(header?["alg"] as? String == algorithm.rawValue)
        let verified = try tokens.verify(token, now: now.addingTimeInterval(60))
        #expect(verified == claims)
        #expect(verified.subject == "user-1" && verified.sessionID == "s-1" && verified.roles == ["Sales", "Support"])
        #expect(verified.tenant == "acme" && verified.issuer == "https://atomo.test" && verified.audience == ["crm"])
        #expect(verified.expiresAt.timeIntervalSince(verified.issuedAt) == 900)
        #expect(verified.notBefore == verified.issuedAt)
    }

    @Test("HS256 secrets shorter than 32 bytes are refused")
    func shortSecret() {
        #expect(throws: TokenKeyError.secretTooShort(length: 31, minimum: 32)) {
            _ = try TokenKey.hs256(secret: Array(repeating: UInt8(7), count: 31))
        }
        #expect(throws: Never.self) { _ = try TokenKey.hs256(secret: Array(repeating: UInt8(7), count: 32)) }
    }

    @Test("a verify-only ES256 key verifies tokens of its private key and cannot sign")
    func verifyOnly() async throws {
        let signing = TokenKey.generateES256()
        let verifying = try TokenKey.es256(publicKeyPEM: try #require(signing.publicKeyPEM))
        let token = try await service(signing).issue(subject: "u", sessionID: "s", roles: [], tenant: nil, now: now)
            .token
        let verifier = await service(verifying)
        #expect(try verifier.verify(token, now: now).subject == "u")
        #expect(throws: TokenError.cannotSign(algorithm: "ES256")) {
            _ = try verifier.issue(subject: "u", sessionID: "s", roles: [], tenant: nil, now: now)
        }
    }

    @Test("a token verified before is remembered, yet its times are checked on every call", arguments: [0, 10_000])
    func verifiedTokenCache(cacheSize: Int) async throws {
        let tokens = await TokenService(
            configuration: .init(
                key: try .hs256(secret: secret), issuer: "https://atomo.test", audience: "crm",
                verifiedTokenCacheSize: cacheSize))
        let (token, claims) = try tokens.issue(subject: "u", sessionID: "s", roles: ["Sales"], tenant: nil, now: now)
        #expect(try tokens.verify(token, now: now) == claims)
        #expect(try tokens.verify(token, now: now.addingTimeInterval(60)) == claims)
        #expect(throws: TokenError.expired(at: now.addingTimeInterval(900), now: now.addingTimeInterval(1000))) {
            _ = try tokens.verify(token, now: now.addingTimeInterval(1000))
        }
        // A different text (here: the signature cut short) is verified on its own, never served from the cache.
        #expect(throws: TokenError.self) { _ = try tokens.verify(String(token.dropLast()), now: now) }
    }

    // MARK: - Forgeries (acceptance: all rejected)

    @Test("alg: none is rejected, with or without a signature")
    func algNone() async throws {
        let tokens = await service(try .hs256(secret: secret))
        let unsigned = Forge.segment(#"{"alg":"none","typ":"JWT"}"#) + "." + Forge.segment(Forge.payload(issuedAt: now))
        #expect(throws: TokenError.self) { _ = try tokens.verify(unsigned + ".", now: now) }
        #expect(throws: TokenError.algorithmNotAllowed(found: "none", expected: "HS256")) {
            _ = try tokens.verify(unsigned + ".c2lnbmF0dXJl", now: now)
        }
        #expect(throws: TokenError.algorithmNotAllowed(found: "None", expected: "HS256")) {
            _ = try tokens.verify(
                Forge.segment(#"{"alg":"None"}"#) + "." + Forge.segment(Forge.payload(issuedAt: now)) + ".eA", now: now)
        }
    }

    @Test("HS256 signed with the ES256 public key (algorithm confusion) is rejected")
    func algorithmConfusion() async throws {
        let key = TokenKey.generateES256()
        let tokens = await service(key)
        let publicPEM = Array(try #require(key.publicKeyPEM).utf8)
        let forged = Forge.hs256(
            header: #"{"alg":"HS256","typ":"JWT"}"#, payload: Forge.payload(issuedAt: now), secret: publicPEM)
        #expect(throws: TokenError.algorithmNotAllowed(found: "HS256", expected: "ES256")) {
            _ = try tokens.verify(forged, now: now)
        }
    }

    @Test("a token for another algorithm than the pinned one is rejected even when its signature is valid")
    func pinnedAlgorithm() async throws {
        let es = TokenKey.generateES256()
        let esToken = try await service(es).issue(subject: "u", sessionID: "s", roles: [], tenant: nil, now: now).token
        let ed = await service(try .generateEdDSA())
        #expect(throws: TokenError.algorithmNotAllowed(found: "ES256", expected: "EdDSA")) {
            _ = try ed.verify(esToken, now: now)
        }
    }

    @Test("wrong keys are rejected")
    func wrongKey() async throws {
        let tokens = await service(try .hs256(secret: secret))
        let other = await service(try .hs256(secret: Array(secret.reversed())))
        let token = try other.issue(subject: "u", sessionID: "s", roles: [], tenant: nil, now: now).token
        #expect(throws: TokenError.invalidSignature) { _ = try tokens.verify(token, now: now) }
        let esA = await service(.generateES256())
        let esB = await service(.generateES256())
        let esToken = try esA.issue(subject: "u", sessionID: "s", roles: [], tenant: nil, now: now).token
        #expect(throws: TokenError.invalidSignature) { _ = try esB.verify(esToken, now: now) }
    }

    @Test("expired and not-yet-valid tokens are rejected beyond the 30-second leeway")
    func times() async throws {
        let tokens = await service(try .hs256(secret: secret))
        let token = try tokens.issue(subject: "u", sessionID: "s", roles: [], tenant: nil, now: now).token
        #expect(throws: Never.self) { _ = try tokens.verify(token, now: now.addingTimeInterval(900 + 29)) }
        #expect(throws: TokenError.expired(at: now.addingTimeInterval(900), now: now.addingTimeInterval(931))) {
            _ = try tokens.verify(token, now: now.addingTimeInterval(931))
        }
        let future = Forge.hs256(
            header: #"{"alg":"HS256","typ":"JWT"}"#,
            payload: Forge.payload(issuedAt: now, notBefore: now.addingTimeInterval(300)), secret: secret)
        #expect(throws: TokenError.notYetValid(from: now.addingTimeInterval(300), now: now)) {
            _ = try tokens.verify(future, now: now)
        }
        #expect(throws: Never.self) { _ = try tokens.verify(future, now: now.addingTimeInterval(280)) }
        let issuedLater = Forge.hs256(
            header: #"{"alg":"HS256","typ":"JWT"}"#, payload: Forge.payload(issuedAt: now.addingTimeInterval(120)),
            secret: secret)
        #expect(throws: TokenError.self) { _ = try tokens.verify(issuedLater, now: now) }
    }

    @Test("wrong issuer and wrong audience are rejected")
    func issuerAndAudience() async throws {
        let tokens = await service(try .hs256(secret: secret))
        let wrongIssuer = Forge.hs256(
            header: #"{"alg":"HS256","typ":"JWT"}"#, payload: Forge.payload(issuer: "https://evil.test", issuedAt: now),
            secret: secret)
        #expect(throws: TokenError.wrongIssuer(found: "https://evil.test", expected: "https://atomo.test")) {
            _ = try tokens.verify(wrongIssuer, now: now)
        }
        let wrongAudience = Forge.hs256(
            header: #"{"alg":"HS256","typ":"JWT"}"#, payload: Forge.payload(audience: "billing", issuedAt: now),
            secret: secret)
        #expect(throws: TokenError.wrongAudience(found: ["billing"], expected: "crm")) {
            _ = try tokens.verify(wrongAudience, now: now)
        }
    }

    @Test("a tampered payload or signature is rejected", arguments: TokenKey.Algorithm.allCases)
    func tampering(algorithm: TokenKey.Algorithm) async throws {
        let key: TokenKey =
            switch algorithm {
            case .hs256: try .hs256(secret: secret)
            case .es256: .generateES256()
            case .edDSA: try .generateEdDSA()
            }
        let tokens = await service(key)
        let token = try tokens.issue(subject: "user-1", sessionID: "s", roles: ["Viewer"], tenant: nil, now: now).token
        let parts = token.split(separator: ".").map(String.init)
        // Payload: promote the user to Admin, keep the signature.
        let promoted = Forge.segment(Forge.payload(issuedAt: now, roles: ["Admin"]))
        #expect(throws: TokenError.invalidSignature) {
            _ = try tokens.verify([parts[0], promoted, parts[2]].joined(separator: "."), now: now)
        }
        // Signature: flip bits in its first byte.
        var signature = Array(parts[2].utf8)
        signature[0] = signature[0] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: TokenError.invalidSignature) {
            _ = try tokens.verify(
                [parts[0], parts[1], String(decoding: signature, as: UTF8.self)].joined(separator: "."), now: now)
        }
        // Signature cut short.
        #expect(throws: TokenError.self) {
            _ = try tokens.verify([parts[0], parts[1], String(parts[2].dropLast(4))].joined(separator: "."), now: now)
        }
        // Header swapped for an equivalent one with other bytes: the signature no longer matches.
        let header = Forge.segment(#"{"typ":"JWT","alg":"\#(algorithm.rawValue)"}"#)
        #expect(throws: TokenError.invalidSignature) {
            _ = try tokens.verify([header, parts[1], parts[2]].joined(separator: "."), now: now)
        }
    }

    @Test(
        "garbage is rejected as malformed",
        arguments: [
            "", ".", "..", "...", "abc", "a.b", "a.b.c.d", "not a token at all", "eyJhbGciOiJIUzI1NiJ9.e30.",
            "eyJhbGciOiJIUzI1NiJ9..c2ln", "!!!.???.***", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0=.c2ln",
            "e30.e30.c2ln", "bnVsbA.e30.c2ln", "W10.e30.c2ln", "eyJhbGciOjF9.e30.c2ln", "\u{0}\u{1}.\u{2}.\u{3}",
            "eyJhbGciOiJIUzI1NiIsImNyaXQiOlsiYjY0Il19.e30.c2ln",
        ])
    func garbage(token: String) async throws {
        let tokens = await service(try .hs256(secret: secret))
        #expect(throws: TokenError.self) { _ = try tokens.verify(token, now: now) }
    }

    @Test("a validly signed payload that is not AtomoAuth claims is rejected")
    func wrongShape() async throws {
        let tokens = await service(try .hs256(secret: secret))
        let token = Forge.hs256(header: #"{"alg":"HS256"}"#, payload: #"{"sub":"u","exp":"tomorrow"}"#, secret: secret)
        #expect {
            _ = try tokens.verify(token, now: now)
        } throws: { error in
            if case TokenError.malformed = error { true } else { false }
        }
    }

    @Test("oversized tokens are rejected before any parsing")
    func oversized() async throws {
        let tokens = await service(try .hs256(secret: secret))
        let padding = String(repeating: "A", count: 9000)
        let huge = Forge.hs256(
            header: #"{"alg":"HS256","typ":"JWT","x":"\#(padding)"}"#, payload: Forge.payload(issuedAt: now),
            secret: secret)
        #expect(throws: TokenError.oversized(length: huge.utf8.count, limit: 8192)) {
            _ = try tokens.verify(huge, now: now)
        }
    }

    private func padded(_ base64URL: String) -> String {
        var text = base64URL.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return text
    }
}
