import Crypto
import KeyBridgeCBOR

/// Converts COSE credential keys to DER SubjectPublicKeyInfo and swift-crypto keys.
public enum COSEKey {
    /// The COSE algorithm of a COSE key map (label 3).
    public static func algorithm(_ key: CBOR) -> Int? { key[intKey: 3]?.intValue }

    /// DER SubjectPublicKeyInfo for an ES256 or EdDSA COSE key; nil for other key types.
    public static func subjectPublicKeyInfo(_ key: CBOR) -> [UInt8]? {
        switch algorithm(key) {
        case COSEAlgorithm.es256.rawValue:
            return (try? p256(key)).map { Array($0.derRepresentation) }
        case COSEAlgorithm.edDSA.rawValue:
            guard let x = key[intKey: -2]?.bytesValue, x.count == 32 else { return nil }
            // SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING x } (RFC 8410).
            return [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00] + x
        default:
            return nil
        }
    }

    /// The P-256 key of an ES256 COSE key.
    public static func p256(_ key: CBOR) throws(KeyBridgeError) -> P256.Signing.PublicKey {
        guard key[intKey: 1]?.intValue == 2, key[intKey: -1]?.intValue == 1,
            let x = key[intKey: -2]?.bytesValue, let y = key[intKey: -3]?.bytesValue, x.count == 32, y.count == 32
        else { throw .verificationFailed("not an EC2 P-256 COSE key") }
        do {
            return try P256.Signing.PublicKey(rawRepresentation: x + y)
        } catch {
            throw .verificationFailed("the P-256 point is not on the curve")
        }
    }

    /// The Ed25519 key of an EdDSA COSE key.
    public static func ed25519(_ key: CBOR) throws(KeyBridgeError) -> Curve25519.Signing.PublicKey {
        guard key[intKey: 1]?.intValue == 1, key[intKey: -1]?.intValue == 6,
            let x = key[intKey: -2]?.bytesValue, x.count == 32
        else { throw .verificationFailed("not an OKP Ed25519 COSE key") }
        do {
            return try Curve25519.Signing.PublicKey(rawRepresentation: x)
        } catch {
            throw .verificationFailed("invalid Ed25519 key")
        }
    }

    /// Checks `signature` over `message` with a COSE ES256 or EdDSA key.
    public static func verify(signature: [UInt8], message: [UInt8], key: CBOR) throws(KeyBridgeError) -> Bool {
        switch algorithm(key) {
        case COSEAlgorithm.es256.rawValue:
            guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return try p256(key).isValidSignature(parsed, for: message)
        case COSEAlgorithm.edDSA.rawValue:
            return try ed25519(key).isValidSignature(signature, for: message)
        default:
            throw .unsupported("verifying COSE algorithm \(algorithm(key).map(String.init) ?? "none")")
        }
    }
}
