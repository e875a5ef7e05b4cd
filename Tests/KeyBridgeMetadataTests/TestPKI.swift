import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// A signing key made for the tests.
enum TestKey {
    case p256(P256.Signing.PrivateKey)
    case rsa(_RSA.Signing.PrivateKey)

    static func newP256() -> TestKey { .p256(P256.Signing.PrivateKey()) }
    static func newRSA2048() throws -> TestKey { .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048)) }

    var certificateKey: Certificate.PrivateKey {
        switch self {
        case .p256(let key): return Certificate.PrivateKey(key)
        case .rsa(let key): return Certificate.PrivateKey(key)
        }
    }

    var signatureAlgorithm: Certificate.SignatureAlgorithm {
        switch self {
        case .p256: return .ecdsaWithSHA256
        case .rsa: return .sha256WithRSAEncryption
        }
    }

    /// A JWS signature (`ES256` raw r||s, `RS256` PKCS#1 v1.5, `PS256` PSS) over `input`.
    func jwsSignature(over input: Data, alg: String) throws -> [UInt8] {
        switch self {
        case .p256(let key):
            return [UInt8](try key.signature(for: input).rawRepresentation)
        case .rsa(let key):
            let padding: _RSA.Signing.Padding = alg == "PS256" ? .PSS : .insecurePKCS1v1_5
            return [UInt8](try key.signature(for: input, padding: padding).rawRepresentation)
        }
    }
}

/// Certificates made for the tests, valid from 2028-12-09 to 2032-02-09.
enum TestPKI {
    /// A certificate and its subject's key.
    struct Issued {
        var certificate: Certificate
        var key: TestKey
        var der: [UInt8] { get throws { try TestPKI.der(certificate) } }
    }

    static let notBefore = Date(timeIntervalSince1970: 1_860_000_000)
    static let notAfter = Date(timeIntervalSince1970: 1_960_000_000)

    static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// A self-signed CA.
    static func root(_ name: String, key: TestKey = .newP256()) throws -> Issued {
        let subject = try DistinguishedName { CommonName(name) }
        let certificate = try make(subject: subject, key: key, issuer: subject, issuerKey: key, isCA: true)
        return Issued(certificate: certificate, key: key)
    }

    /// A certificate for `name` signed by `issuer`; a CA when `isCA`.
    static func issue(_ name: String, by issuer: Issued, isCA: Bool, key: TestKey = .newP256()) throws -> Issued {
        let subject = try DistinguishedName { CommonName(name) }
        let certificate = try make(
            subject: subject, key: key, issuer: issuer.certificate.subject, issuerKey: issuer.key, isCA: isCA)
        return Issued(certificate: certificate, key: key)
    }

    private static func make(
        subject: DistinguishedName, key: TestKey, issuer: DistinguishedName, issuerKey: TestKey, isCA: Bool
    ) throws -> Certificate {
        let extensions = try Certificate.Extensions {
            Critical(isCA ? BasicConstraints.isCertificateAuthority(maxPathLength: nil) : .notCertificateAuthority)
            Critical(isCA ? KeyUsage(keyCertSign: true, cRLSign: true) : KeyUsage(digitalSignature: true))
        }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.certificateKey.publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: issuer, subject: subject,
            signatureAlgorithm: issuerKey.signatureAlgorithm, extensions: extensions,
            issuerPrivateKey: issuerKey.certificateKey)
    }
}
