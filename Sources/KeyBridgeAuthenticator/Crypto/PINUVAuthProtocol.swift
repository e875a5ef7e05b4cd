import Crypto
import Foundation
import KeyBridgeCBOR
import _CryptoExtras

/// PIN/UV auth protocols 1 and 2 (CTAP 2.1 §6.5.6, §6.5.7), authenticator side.
public enum PINUVAuthProtocol: Int, Sendable, CaseIterable {
    case one = 1
    case two = 2

    /// The shared secret derived from the ECDH x-coordinate Z.
    func sharedSecret(z: [UInt8]) -> [UInt8] {
        switch self {
        case .one:
            return Array(SHA256.hash(data: z))
        case .two:
            let ikm = SymmetricKey(data: z)
            let salt = [UInt8](repeating: 0, count: 32)
            let hmacKey = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: ikm, salt: salt, info: Array("CTAP2 HMAC key".utf8), outputByteCount: 32)
            let aesKey = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: ikm, salt: salt, info: Array("CTAP2 AES key".utf8), outputByteCount: 32)
            return hmacKey.withUnsafeBytes { Array($0) } + aesKey.withUnsafeBytes { Array($0) }
        }
    }

    /// ECDH with the platform's COSE key (alg -25); nil when the key is malformed or off-curve.
    func sharedSecret(ourKey: P256.KeyAgreement.PrivateKey, platformKey: CBOR) -> [UInt8]? {
        guard platformKey[intKey: 1]?.intValue == 2, platformKey[intKey: -1]?.intValue == 1,
            let x = platformKey[intKey: -2]?.bytesValue, let y = platformKey[intKey: -3]?.bytesValue,
            x.count == 32, y.count == 32,
            let peer = try? P256.KeyAgreement.PublicKey(rawRepresentation: x + y),
            let shared = try? ourKey.sharedSecretFromKeyAgreement(with: peer)
        else { return nil }
        return sharedSecret(z: shared.withUnsafeBytes { Array($0) })
    }

    private func aesKey(_ shared: [UInt8]) -> [UInt8] { self == .one ? shared : Array(shared[32...]) }
    private func hmacKey(_ shared: [UInt8]) -> [UInt8] { self == .one ? shared : Array(shared[..<32]) }

    /// encrypt(key, plaintext): AES-256-CBC, IV 0 (protocol 1) or a random IV prepended (protocol 2).
    func encrypt(shared: [UInt8], _ plaintext: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: aesKey(shared))
        switch self {
        case .one:
            let iv = try! AES._CBC.IV(ivBytes: [UInt8](repeating: 0, count: 16))
            return Array(try! AES._CBC.encrypt(plaintext, using: key, iv: iv, noPadding: true))
        case .two:
            let ivBytes = (0..<16).map { _ in UInt8.random(in: 0...255) }
            let iv = try! AES._CBC.IV(ivBytes: ivBytes)
            return ivBytes + Array(try! AES._CBC.encrypt(plaintext, using: key, iv: iv, noPadding: true))
        }
    }

    /// decrypt(key, ciphertext); nil when the length is not a whole number of blocks.
    func decrypt(shared: [UInt8], _ ciphertext: [UInt8]) -> [UInt8]? {
        let key = SymmetricKey(data: aesKey(shared))
        switch self {
        case .one:
            guard !ciphertext.isEmpty, ciphertext.count % 16 == 0 else { return nil }
            let iv = try! AES._CBC.IV(ivBytes: [UInt8](repeating: 0, count: 16))
            return try? Array(AES._CBC.decrypt(ciphertext, using: key, iv: iv, noPadding: true))
        case .two:
            guard ciphertext.count >= 32, ciphertext.count % 16 == 0 else { return nil }
            guard let iv = try? AES._CBC.IV(ivBytes: ciphertext.prefix(16)) else { return nil }
            return try? Array(AES._CBC.decrypt(ciphertext.dropFirst(16), using: key, iv: iv, noPadding: true))
        }
    }

    /// authenticate(key, message) with the shared secret's HMAC key.
    func authenticate(shared: [UInt8], _ message: [UInt8]) -> [UInt8] {
        mac(key: hmacKey(shared), message)
    }

    /// authenticate(token, message): the key is the whole pinUvAuthToken.
    func authenticate(token: [UInt8], _ message: [UInt8]) -> [UInt8] { mac(key: token, message) }

    /// Whether `signature` is authenticate(key, message), in constant time.
    func verify(key: [UInt8], message: [UInt8], signature: [UInt8]) -> Bool {
        let expected = mac(key: key, message)
        guard signature.count == expected.count else { return false }
        return zip(signature, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    func verifyWithShared(shared: [UInt8], message: [UInt8], signature: [UInt8]) -> Bool {
        verify(key: hmacKey(shared), message: message, signature: signature)
    }

    private func mac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        let full = Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        return self == .one ? Array(full.prefix(16)) : full
    }
}

/// The authenticator's key-agreement key as a COSE key (alg -25, ECDH-ES+HKDF-256).
func coseKeyAgreementKey(_ key: P256.KeyAgreement.PrivateKey) -> CBOR {
    let raw = Array(key.publicKey.rawRepresentation)
    return [1: 2, 3: -25, -1: 1, -2: .bytes(Array(raw[0..<32])), -3: .bytes(Array(raw[32..<64]))]
}
