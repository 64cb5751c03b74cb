import Foundation
import JWTKit

/// The key that signs and verifies access tokens, and with it the one algorithm tokens may use.
///
/// - HS256 (the default): a shared secret of at least 32 bytes; shorter secrets are refused.
/// - ES256: a P-256 key pair, as PEM. A verifier that only checks tokens needs only the public key.
/// - EdDSA: an Ed25519 key pair, as PEM.
///
/// ```swift
/// let key = try TokenKey.hs256(secret: Array(secretFromEnvironment.utf8))
/// let signing = TokenKey.generateES256()
/// let verifying = try TokenKey.es256(publicKeyPEM: signing.publicKeyPEM!)
/// ```
public struct TokenKey: Sendable {
    /// The JWT algorithms AtomoAuth signs and verifies with.
    public enum Algorithm: String, Sendable, Hashable, CaseIterable {
        /// HMAC with SHA-256.
        case hs256 = "HS256"
        /// ECDSA on P-256 with SHA-256.
        case es256 = "ES256"
        /// Ed25519.
        case edDSA = "EdDSA"
    }

    enum Material: Sendable {
        case hmac([UInt8])
        case es256Private(ES256PrivateKey)
        case es256Public(ES256PublicKey)
        case edDSAPrivate(EdDSA.PrivateKey)
        case edDSAPublic(EdDSA.PublicKey)
    }

    /// The algorithm every token signed or verified with this key uses (the `alg` header).
    public let algorithm: Algorithm
    let material: Material

    /// The fewest bytes an HS256 secret may have: the size of the hash output (RFC 7518 §3.2).
    public static let minimumHMACSecretLength = 32

    /// An HS256 key.
    /// - Throws: ``TokenKeyError/secretTooShort(length:minimum:)`` when `secret` has fewer than 32 bytes.
    public static func hs256(secret: some Sequence<UInt8>) throws(TokenKeyError) -> TokenKey {
        let bytes = Array(secret)
        guard bytes.count >= minimumHMACSecretLength else {
            throw .secretTooShort(length: bytes.count, minimum: minimumHMACSecretLength)
        }
        return TokenKey(algorithm: .hs256, material: .hmac(bytes))
    }

    /// A new random HS256 secret of 32 bytes (for tests and single-process deployments; a cluster
    /// shares one secret from its configuration).
    public static func generateHS256() -> TokenKey {
        var generator = SystemRandomNumberGenerator()
        return TokenKey(algorithm: .hs256, material: .hmac((0..<32).map { _ in generator.next() }))
    }

    /// An ES256 signing key from a PEM private key (`-----BEGIN PRIVATE KEY-----` or `EC PRIVATE KEY`).
    /// - Throws: ``TokenKeyError/invalidKey(reason:)``.
    public static func es256(privateKeyPEM pem: String) throws(TokenKeyError) -> TokenKey {
        do {
            return TokenKey(algorithm: .es256, material: .es256Private(try ES256PrivateKey(pem: pem)))
        } catch {
            throw .invalidKey(reason: "not a P-256 private key in PEM: \(error)")
        }
    }

    /// An ES256 verify-only key from a PEM public key (`-----BEGIN PUBLIC KEY-----`).
    /// - Throws: ``TokenKeyError/invalidKey(reason:)``.
    public static func es256(publicKeyPEM pem: String) throws(TokenKeyError) -> TokenKey {
        do {
            return TokenKey(algorithm: .es256, material: .es256Public(try ES256PublicKey(pem: pem)))
        } catch {
            throw .invalidKey(reason: "not a P-256 public key in PEM: \(error)")
        }
    }

    /// A new random ES256 key pair.
    public static func generateES256() -> TokenKey {
        TokenKey(algorithm: .es256, material: .es256Private(ES256PrivateKey()))
    }

    /// An EdDSA signing key from a PEM Ed25519 private key.
    /// - Throws: ``TokenKeyError/invalidKey(reason:)``.
    public static func edDSA(privateKeyPEM pem: String) throws(TokenKeyError) -> TokenKey {
        do {
            return TokenKey(algorithm: .edDSA, material: .edDSAPrivate(try EdDSA.PrivateKey(pem: pem)))
        } catch {
            throw .invalidKey(reason: "not an Ed25519 private key in PEM: \(error)")
        }
    }

    /// An EdDSA verify-only key from a PEM Ed25519 public key.
    /// - Throws: ``TokenKeyError/invalidKey(reason:)``.
    public static func edDSA(publicKeyPEM pem: String) throws(TokenKeyError) -> TokenKey {
        do {
            return TokenKey(algorithm: .edDSA, material: .edDSAPublic(try EdDSA.PublicKey(pem: pem)))
        } catch {
            throw .invalidKey(reason: "not an Ed25519 public key in PEM: \(error)")
        }
    }

    /// A new random Ed25519 key pair.
    /// - Throws: ``TokenKeyError/invalidKey(reason:)`` if the system cannot generate one.
    public static func generateEdDSA() throws(TokenKeyError) -> TokenKey {
        do {
            return TokenKey(algorithm: .edDSA, material: .edDSAPrivate(try EdDSA.PrivateKey(curve: .ed25519)))
        } catch {
            throw .invalidKey(reason: "cannot generate an Ed25519 key: \(error)")
        }
    }

    /// Whether this key can sign (HMAC secrets and private keys can; public keys only verify).
    public var canSign: Bool {
        switch material {
        case .hmac, .es256Private, .edDSAPrivate: true
        case .es256Public, .edDSAPublic: false
        }
    }

    /// The public key as PEM, for handing to verifiers (nil for HS256, which has no public part).
    public var publicKeyPEM: String? {
        switch material {
        case .hmac: nil
        case .es256Private(let key): key.publicKey.pemRepresentation
        case .es256Public(let key): key.pemRepresentation
        case .edDSAPrivate(let key): key.publicKey.pemRepresentation
        case .edDSAPublic(let key): key.pemRepresentation
        }
    }

    /// The ES256 private key as PEM (nil for other keys), for storing a generated key.
    public var privateKeyPEM: String? {
        if case .es256Private(let key) = material { key.pemRepresentation } else { nil }
    }

    /// jwt-kit's implementation of this key's algorithm: the one object that signs and verifies.
    func makeAlgorithm() async -> any JWTAlgorithm {
        let keys = JWTKeyCollection()
        switch material {
        case .hmac(let secret): await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        case .es256Private(let key): await keys.add(ecdsa: key)
        case .es256Public(let key): await keys.add(ecdsa: key)
        case .edDSAPrivate(let key): await keys.add(eddsa: key)
        case .edDSAPublic(let key): await keys.add(eddsa: key)
        }
        // The collection has exactly the default key added above, so this cannot fail.
        guard let algorithm = try? await keys.getKey() else {
            preconditionFailure("a JWTKeyCollection with one default key returned no key")
        }
        return algorithm
    }
}

/// Why a ``TokenKey`` cannot be made.
public enum TokenKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An HS256 secret is shorter than the 32 bytes required.
    case secretTooShort(length: Int, minimum: Int)
    /// A PEM key could not be read.
    case invalidKey(reason: String)

    /// A human-readable explanation.
    public var description: String {
        switch self {
        case .secretTooShort(let length, let minimum):
            "an HS256 secret needs at least \(minimum) bytes; this one has \(length)"
        case .invalidKey(let reason): "invalid token key: \(reason)"
        }
    }
}
