import Crypto
import Foundation
import SwiftASN1
import X509

/// The virtual key's attestation CA: a self-signed root and one attestation leaf per key, with
/// the packed-attestation certificate rules (v3, OU "Authenticator Attestation", CA false, and
/// the FIDO AAGUID extension 1.3.6.1.4.1.45724.1.1.4).
enum AttestationAuthority {
    static let aaguidExtension: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 45724, 1, 1, 4]

    /// Creates root and leaf and stores them in `state`.
    static func provision(_ state: inout AuthenticatorState, aaguid: [UInt8], serial: String) throws {
        let rootKey = P256.Signing.PrivateKey()
        let leafKey = P256.Signing.PrivateKey()
        let now = Date()
        let rootName = try DistinguishedName {
            CountryName("US")
            OrganizationName("keybridge")
            CommonName("keybridge Virtual Key Attestation Root")
        }
        let root = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(rootKey.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(20 * 365 * 86_400),
            issuer: rootName, subject: rootName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(rootKey))
        let leafName = try DistinguishedName {
            CountryName("US")
            OrganizationName("keybridge")
            OrganizationalUnitName("Authenticator Attestation")
            CommonName("keybridge Virtual Key \(serial)")
        }
        var aaguidValue = DER.Serializer()
        try aaguidValue.serialize(ASN1OctetString(contentBytes: aaguid[...]))
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(leafKey.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400), notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: rootName, subject: leafName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Certificate.Extension(oid: aaguidExtension, critical: false, value: aaguidValue.serializedBytes[...])
            },
            issuerPrivateKey: .init(rootKey))
        state.attestationRootDER = try der(root)
        state.attestationRootKey = Array(rootKey.rawRepresentation)
        state.attestationLeafDER = try der(leaf)
        state.attestationLeafKey = Array(leafKey.rawRepresentation)
    }

    static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// PEM text of a DER certificate.
    static func pem(_ der: [UInt8]) -> String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN CERTIFICATE-----\n\(base64)\n-----END CERTIFICATE-----\n"
    }
}
