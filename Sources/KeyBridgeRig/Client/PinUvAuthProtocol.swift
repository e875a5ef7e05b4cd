import Crypto
import Foundation
import KeyBridgeCBOR
import _CryptoExtras

/// The platform side of PIN/UV auth protocols 1 and 2 (CTAP 2.1 §6.5.6, §6.5.7): key agreement
/// with the authenticator's COSE key, and encrypt / decrypt / authenticate with the shared secret.
public struct PinUvAuthProtocol: Sendable {
    /// 1 or 2.
    public let version: Int

    public init(version: Int) {
        self.version = version
    }

    /// The result of encapsulate(): the platform's COSE key to send, and the shared secret.
    public struct Agreement: Sendable {
        public var platformKey: CBOR
        public var sharedSecret: [UInt8]
    }

    /// ECDH with the authenticator's key-agreement key (a COSE_Key, alg -25); nil when that key
    /// is not a P-256 point.
    public func encapsulate(authenticatorKey: CBOR) -> Agreement? {
        guard let x = authenticatorKey[intKey: -2]?.bytesValue, let y = authenticatorKey[intKey: -3]?.bytesValue,
            x.count == 32, y.count == 32,
            let peer = try? P256.KeyAgreement.PublicKey(rawRepresentation: x + y)
        else { return nil }
        let ours = P256.KeyAgreement.PrivateKey()
        guard let shared = try? ours.sharedSecretFromKeyAgreement(with: peer) else { return nil }
        let z = shared.withUnsafeBytes { Array($0) }
        let raw = Array(ours.publicKey.rawRepresentation)
        let cose: CBOR = [1: 2, 3: -25, -1: 1, -2: .bytes(Array(raw[0..<32])), -3: .bytes(Array(raw[32...]))]
        return Agreement(platformKey: cose, sharedSecret: kdf(z))
    }

    private func kdf(_ z: [UInt8]) -> [UInt8] {
        guard version == 2 else { return Array(SHA256.hash(data: z)) }
        let salt = [UInt8](repeating: 0, count: 32)
        func derive(_ info: String) -> [UInt8] {
            HKDF<SHA256>.deriveKey(
                inputKeyMaterial: SymmetricKey(data: z), salt: salt, info: Array(info.utf8), outputByteCount: 32
            ).withUnsafeBytes { Array($0) }
        }
        return derive("CTAP2 HMAC key") + derive("CTAP2 AES key")
    }

    /// AES-256-CBC without padding: a zero IV (1) or a random IV sent first (2).
    public func encrypt(_ secret: [UInt8], _ plaintext: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: version == 1 ? secret : Array(secret[32...]))
        let ivBytes = version == 1 ? [UInt8](repeating: 0, count: 16) : (0..<16).map { _ in UInt8.random(in: 0...255) }
        let iv = try! AES._CBC.IV(ivBytes: ivBytes)
        let body = Array(try! AES._CBC.encrypt(plaintext, using: key, iv: iv, noPadding: true))
        return version == 1 ? body : ivBytes + body
    }

    /// The inverse of ``encrypt(_:_:)``; nil when the ciphertext is not whole blocks.
    public func decrypt(_ secret: [UInt8], _ ciphertext: [UInt8]) -> [UInt8]? {
        let key = SymmetricKey(data: version == 1 ? secret : Array(secret[32...]))
        let ivBytes = version == 1 ? [UInt8](repeating: 0, count: 16) : Array(ciphertext.prefix(16))
        let body = version == 1 ? ciphertext : Array(ciphertext.dropFirst(16))
        guard !body.isEmpty, body.count % 16 == 0, let iv = try? AES._CBC.IV(ivBytes: ivBytes) else { return nil }
        return try? Array(AES._CBC.decrypt(body, using: key, iv: iv, noPadding: true))
    }

    /// authenticate(key, message): HMAC-SHA-256, cut to 16 bytes in protocol 1. `key` is the
    /// shared secret (its HMAC half in protocol 2) or a pinUvAuthToken.
    public func authenticate(secret: [UInt8], _ message: [UInt8]) -> [UInt8] {
        authenticate(key: version == 1 ? secret : Array(secret.prefix(32)), message)
    }

    /// authenticate with a pinUvAuthToken as the key.
    public func authenticate(token: [UInt8], _ message: [UInt8]) -> [UInt8] { authenticate(key: token, message) }

    private func authenticate(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        let mac = Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        return version == 1 ? Array(mac.prefix(16)) : mac
    }

    /// A PIN padded to 64 bytes with zeros, as setPIN and changePIN encrypt it.
    public static func paddedPIN(_ pin: String) -> [UInt8] {
        let bytes = Array(pin.utf8)
        return bytes + [UInt8](repeating: 0, count: max(0, 64 - bytes.count))
    }

    /// LEFT(SHA-256(pin), 16), as getPinToken encrypts it.
    public static func pinHash(_ pin: String) -> [UInt8] { Array(SHA256.hash(data: Array(pin.utf8)).prefix(16)) }
}
