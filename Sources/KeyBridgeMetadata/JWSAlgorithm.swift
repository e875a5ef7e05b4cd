import Crypto
import Foundation
import _CryptoExtras
import X509

/// The JWS signature algorithms accepted for MDS BLOBs. Anything else, `none` included, is refused.
enum JWSAlgorithm: String {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (what the FIDO Alliance signs with).
    case rs256 = "RS256"
    /// RSASSA-PSS with SHA-256 and a 32-byte salt.
    case ps256 = "PS256"
    /// ECDSA P-256 with SHA-256, signature as raw `r || s`.
    case es256 = "ES256"

    /// The algorithm named by a header's `alg`; throws ``MetadataError/badSignature(_:)`` for `none` and unknown names.
    init(header alg: String) throws(MetadataError) {
        guard let algorithm = JWSAlgorithm(rawValue: alg) else {
            if alg.lowercased() == "none" {
                throw .badSignature("the JWT is unsigned (alg \"none\")")
            }
            throw .badSignature("unsupported JWS algorithm \"\(alg)\" (accepted: RS256, PS256, ES256)")
        }
        self = algorithm
    }

    /// Checks `signature` over `input` with the certificate's key; throws ``MetadataError/badSignature(_:)``.
    func verify(_ signature: [UInt8], over input: Data, with key: Certificate.PublicKey) throws(MetadataError) {
        let valid: Bool
        switch self {
        case .rs256, .ps256:
            guard let rsa = _RSA.Signing.PublicKey(key) else {
                throw .badSignature("alg \(rawValue) needs an RSA signing certificate")
            }
            let padding: _RSA.Signing.Padding = self == .rs256 ? .insecurePKCS1v1_5 : .PSS
            valid = rsa.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: input, padding: padding)
        case .es256:
            guard let ecdsa = P256.Signing.PublicKey(key) else {
                throw .badSignature("alg ES256 needs a P-256 signing certificate")
            }
            guard let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else {
                throw .badSignature("an ES256 signature must be 64 bytes, found \(signature.count)")
            }
            valid = ecdsa.isValidSignature(parsed, for: input)
        }
        guard valid else { throw .badSignature("the \(rawValue) signature does not match the signed header and payload") }
    }
}
