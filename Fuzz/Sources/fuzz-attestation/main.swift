import Crypto
import FuzzSupport
import KeyBridgeCBOR
import KeyBridgeWebAuthn
import X509

/// Attestation objects (raw CBOR) the way a relying party meets them: decoding (fmt, attStmt,
/// authData with its attested credential and extensions), `packed`/`none` verification for
/// rpId example.com (which parses the x5c leaf), and the x5c chain as the registration module
/// checks it, here validated against its own last certificate so well-formed chains go deep.
private let clientDataHash = Array(SHA256.hash(data: Array("fuzz client data".utf8)))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let object = try? AttestationObject(bytes) else {
        _ = try? AuthenticatorData(bytes)
        return 0
    }
    if let key = object.authenticatorData.attestedCredential?.publicKey {
        _ = COSEKey.subjectPublicKeyInfo(key)
        _ = try? COSEKey.verify(signature: [0x30, 0x00], message: [], key: key)
        _ = try? COSEKey.rsa(key)
    }
    if let response = try? RegistrationResponseJSON(
        id: "AA", clientDataJSON: Base64URL.encode(Array("{}".utf8)), attestationObject: Base64URL.encode(bytes))
    {
        _ = try? WebAuthnVerifier.parse(response)
        _ = try? WebAuthnVerifier.verifyRegistration(response, rpID: "example.com", clientDataHash: clientDataHash)
    }
    guard let chain = object.statement[textKey: "x5c"]?.arrayValue?.compactMap(\.bytesValue), !chain.isEmpty else {
        return 0
    }
    guard let certificates = try? chain.map({ try Certificate(derEncoded: $0) }) else { return 0 }
    for certificate in certificates {
        _ = try? certificate.extensions.basicConstraints
        _ = certificate.subject.description
        _ = P256.Signing.PublicKey(certificate.publicKey)
    }
    runBlocking {
        var verifier = Verifier(rootCertificates: CertificateStore([certificates[certificates.count - 1]])) {
            RFC5280Policy()
        }
        _ = await verifier.validate(leaf: certificates[0], intermediates: CertificateStore(certificates.dropFirst()))
    }
    return 0
}
