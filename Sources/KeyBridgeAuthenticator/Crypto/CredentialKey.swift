import Crypto
import KeyBridgeCBOR

/// A credential's private key: ES256 (P-256) or EdDSA (Ed25519).
enum CredentialKey {
    case es256(P256.Signing.PrivateKey)
    case edDSA(Curve25519.Signing.PrivateKey)

    /// A new key for COSE algorithm `alg`.
    init?(generatingFor alg: Int) {
        switch alg {
        case -7: self = .es256(P256.Signing.PrivateKey())
        case -8: self = .edDSA(Curve25519.Signing.PrivateKey())
        default: return nil
        }
    }

    /// Restores a key from its stored form.
    init?(alg: Int, raw: [UInt8]) {
        switch alg {
        case -7: guard let key = try? P256.Signing.PrivateKey(rawRepresentation: raw) else { return nil }
            self = .es256(key)
        case -8: guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else { return nil }
            self = .edDSA(key)
        default: return nil
        }
    }

    var alg: Int {
        switch self {
        case .es256: -7
        case .edDSA: -8
        }
    }

    var raw: [UInt8] {
        switch self {
        case .es256(let key): Array(key.rawRepresentation)
        case .edDSA(let key): Array(key.rawRepresentation)
        }
    }

    /// The public key as a COSE key map.
    var cosePublicKey: CBOR {
        switch self {
        case .es256(let key):
            let raw = Array(key.publicKey.rawRepresentation)
            return [1: 2, 3: -7, -1: 1, -2: .bytes(Array(raw[0..<32])), -3: .bytes(Array(raw[32..<64]))]
        case .edDSA(let key):
            return [1: 1, 3: -8, -1: 6, -2: .bytes(Array(key.publicKey.rawRepresentation))]
        }
    }

    /// An ES256 signature in DER, or a raw Ed25519 signature.
    func sign(_ message: [UInt8]) -> [UInt8] {
        switch self {
        case .es256(let key): Array(try! key.signature(for: message).derRepresentation)
        case .edDSA(let key): Array(try! key.signature(for: message))
        }
    }
}
