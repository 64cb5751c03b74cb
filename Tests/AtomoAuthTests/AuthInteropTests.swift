import AtomoAuth
import AtomoSchema
import AtomoTesting
import Foundation
import Testing

@Suite(
    "Interoperability with argon2-cffi, bcrypt and PyJWT",
    PythonAuthPeer.requirement.trait)
struct AuthInteropTests {
    let now = Date()

    @Test("argon2id hashes made by AtomoAuth verify in argon2-cffi, and the reverse")
    func argon2() async throws {
        let hasher = try PasswordHasher()
        let ours = try await hasher.hash(goodPassword)
        let unicode = "pässwörd mit ümläuten 🔐"
        let oursUnicode = try await hasher.hash(unicode)
        let responses = try await PythonAuthPeer.run([
            ["op": "argon2_verify", "password": goodPassword, "hash": ours],
            ["op": "argon2_verify", "password": goodPassword + "x", "hash": ours],
            ["op": "argon2_verify", "password": unicode, "hash": oursUnicode],
            ["op": "argon2_hash", "password": goodPassword],
            ["op": "argon2_hash", "password": unicode],
        ])
        #expect(responses[0]["ok"] as? Bool == true)
        #expect(responses[1]["ok"] as? Bool == false)
        #expect(responses[2]["ok"] as? Bool == true)
        let theirs = try #require(responses[3]["hash"] as? String)
        let theirsUnicode = try #require(responses[4]["hash"] as? String)
        #expect(theirs.hasPrefix("$argon2id$v=19$"))
        #expect(try await hasher.verify(goodPassword, against: theirs))
        #expect(try await hasher.verify(goodPassword + "x", against: theirs) == false)
        #expect(try await hasher.verify(unicode, against: theirsUnicode))
    }

    @Test("bcrypt hashes made by Python's bcrypt verify in AtomoAuth and are re-hashed to argon2id at login")
    func bcryptRehash() async throws {
        let responses = try await PythonAuthPeer.run([
            ["op": "bcrypt_hash", "password": goodPassword, "rounds": 10, "prefix": "2b"],
            ["op": "bcrypt_hash", "password": goodPassword, "rounds": 4, "prefix": "2a"],
        ])
        let fixture = try await AuthFixture.make(parameters: .owasp)
        for (index, response) in responses.enumerated() {
            let bcrypt = try #require(response["hash"] as? String)
            #expect(try await fixture.hasher.verify(goodPassword, against: bcrypt))
            #expect(try await fixture.hasher.verify("not the password", against: bcrypt) == false)
            let email = "legacy\(index)@example.com"
            let user = try await fixture.auth.importUser(
                email: email, passwordHash: bcrypt, roles: ["Sales"], as: .system)
            await #expect(throws: AuthenticationError.invalidCredentials) {
                _ = try await fixture.auth.login(email: email, password: "not the password")
            }
            #expect(
                try await fixture.credentials.credential(userID: user.id)?.passwordHash == bcrypt,
                "no rehash on failure")
            let login = try await fixture.auth.login(email: email, password: goodPassword)
            _ = try await fixture.auth.authenticate(login.accessToken)
            let upgraded = try #require(try await fixture.credentials.credential(userID: user.id)?.passwordHash)
            #expect(upgraded.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
            // The new hash is standard: argon2-cffi verifies it too.
            let check = try await PythonAuthPeer.run([
                ["op": "argon2_verify", "password": goodPassword, "hash": upgraded]
            ])
            #expect(check[0]["ok"] as? Bool == true)
        }
    }

    @Test("HS256 and ES256 tokens made by AtomoAuth verify in PyJWT", arguments: [TokenKey.Algorithm.hs256, .es256])
    func oursVerifyInPyJWT(algorithm: TokenKey.Algorithm) async throws {
        let secret = (0..<32).map { UInt8($0 * 7 & 0xFF) }
        let key: TokenKey = algorithm == .hs256 ? try .hs256(secret: secret) : .generateES256()
        let tokens = await TokenService(configuration: .init(key: key, issuer: "https://atomo.test", audience: "crm"))
        let (token, claims) = try tokens.issue(
            subject: "user-1", sessionID: "s-1", roles: ["Sales"], tenant: "acme", now: now)
        var request: [String: Any] = [
            "op": "jwt_decode", "alg": algorithm.rawValue, "token": token, "issuer": "https://atomo.test",
            "audience": "crm",
        ]
        if algorithm == .hs256 {
            request["key_hex"] = PythonAuthPeer.hex(secret)
        } else {
            request["key"] = key.publicKeyPEM
        }
        var wrongAudience = request
        wrongAudience["audience"] = "billing"
        var tampered = request
        let parts = token.split(separator: ".")
        tampered["token"] = [
            parts[0], Substring(Forge.segment(Forge.payload(issuedAt: now, roles: ["Admin"]))), parts[2],
        ]
        .joined(separator: ".")
        let responses = try await PythonAuthPeer.run([request, wrongAudience, tampered])
        let decoded = try #require(responses[0]["claims"] as? [String: Any], "\(responses[0])")
        #expect(decoded["sub"] as? String == "user-1" && decoded["sid"] as? String == "s-1")
        #expect(decoded["roles"] as? [String] == ["Sales"] && decoded["tenant"] as? String == "acme")
        #expect((decoded["exp"] as? NSNumber)?.doubleValue == claims.expiresAt.timeIntervalSince1970)
        #expect(responses[1]["error"] as? String == "InvalidAudienceError")
        #expect(responses[2]["error"] as? String == "InvalidSignatureError")
    }

    @Test("HS256 and ES256 tokens made by PyJWT verify in AtomoAuth", arguments: [TokenKey.Algorithm.hs256, .es256])
    func pyJWTVerifiesInOurs(algorithm: TokenKey.Algorithm) async throws {
        let secret = (0..<48).map { UInt8($0 * 13 & 0xFF) }
        let key: TokenKey = algorithm == .hs256 ? try .hs256(secret: secret) : .generateES256()
        let issued = Int(now.timeIntervalSince1970)
        let claims: [String: Any] = [
            "sub": "user-9", "sid": "s-9", "roles": ["Manager", "Support"], "iss": "https://atomo.test",
            "aud": ["crm", "other"],
            "iat": issued, "nbf": issued, "exp": issued + 600,
        ]
        var request: [String: Any] = ["op": "jwt_encode", "alg": algorithm.rawValue, "claims": claims]
        if algorithm == .hs256 {
            request["key_hex"] = PythonAuthPeer.hex(secret)
        } else {
            request["key"] = key.privateKeyPEM
        }
        var expired = request
        var expiredClaims = claims
        expiredClaims["exp"] = issued - 120
        expired["claims"] = expiredClaims
        let responses = try await PythonAuthPeer.run([request, expired])
        let token = try #require(responses[0]["token"] as? String)
        // Verify with a verify-only key for ES256: the public key is all a verifier needs.
        let verifyKey = algorithm == .hs256 ? key : try .es256(publicKeyPEM: try #require(key.publicKeyPEM))
        let tokens = await TokenService(
            configuration: .init(key: verifyKey, issuer: "https://atomo.test", audience: "crm"))
        let verified = try tokens.verify(token, now: now)
        #expect(
            verified.subject == "user-9" && verified.sessionID == "s-9" && verified.roles == ["Manager", "Support"])
        #expect(verified.audience == ["crm", "other"] && verified.tenant == nil)
        #expect(throws: TokenError.self) {
            _ = try tokens.verify(try #require(responses[1]["token"] as? String), now: now)
        }
        let otherKey: TokenKey = algorithm == .hs256 ? .generateHS256() : .generateES256()
        let stranger = await TokenService(
            configuration: .init(key: otherKey, issuer: "https://atomo.test", audience: "crm"))
        #expect(throws: TokenError.invalidSignature) { _ = try stranger.verify(token, now: now) }
    }
}
