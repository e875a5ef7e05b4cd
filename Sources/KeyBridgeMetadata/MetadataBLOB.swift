import Foundation
@_spi(FixedExpiryValidationTime) import X509

/// Verification of the signed MDS3 BLOB the FIDO Alliance publishes.
public enum MetadataBLOB {
    /// Verifies a signed MDS3 BLOB (a JWS compact JWT) and decodes its payload.
    ///
    /// In order:
    /// 1. the JWT shape (surrounding whitespace ignored), header and `x5c` are decoded (``MetadataError/malformed(_:)``);
    /// 2. `alg` must be RS256, PS256 or ES256; `none` and anything else → ``MetadataError/badSignature(_:)``
    ///    (an unsigned or unverifiable BLOB has no valid signature);
    /// 3. `x5c` (standard base64 DER, leaf first) must chain to one of `trustAnchors`, every certificate valid at
    ///    `now` (swift-certificates `Verifier`, RFC 5280 policy) → ``MetadataError/untrustedChain(_:)``;
    /// 4. the leaf's key must verify the signature over `header.payload` → ``MetadataError/badSignature(_:)``;
    /// 5. the payload is decoded (``MetadataError/malformed(_:)``);
    /// 6. the BLOB is current while `now` is before the end of the `nextUpdate` day in UTC: a BLOB whose
    ///    `nextUpdate` is today is still valid all day, and from 00:00 UTC the next day it is
    ///    ``MetadataError/expired(nextUpdate:)``.
    ///
    /// - Returns: the decoded payload and the payload's raw JSON bytes, exactly as signed.
    public static func verify(
        _ jwt: String, trustAnchors: [Certificate], now: Date = Date()
    ) async throws(MetadataError) -> (payload: MetadataPayload, json: Data) {
        let jws = try JWSCompact(jwt)
        let algorithm = try JWSAlgorithm(header: jws.algorithm)
        let leaf = try await verifiedLeaf(jws.certificateChain, trustAnchors: trustAnchors, now: now)
        try algorithm.verify(jws.signature, over: jws.signingInput, with: leaf.publicKey)
        let payload = try MetadataPayload.decode(jws.payload)
        guard now < payload.nextUpdate.addingTimeInterval(MetadataDay.secondsPerDay) else {
            throw .expired(nextUpdate: MetadataDay.text(of: payload.nextUpdate))
        }
        return (payload, jws.payload)
    }

    /// Parses `chain` and checks that it leads to one of `trustAnchors` at `now`; returns the leaf.
    private static func verifiedLeaf(
        _ chain: [[UInt8]], trustAnchors: [Certificate], now: Date
    ) async throws(MetadataError) -> Certificate {
        var certificates: [Certificate] = []
        for (position, der) in chain.enumerated() {
            guard let certificate = try? Certificate(derEncoded: der) else {
                throw .malformed("x5c certificate \(position) is not a DER X.509 certificate")
            }
            certificates.append(certificate)
        }
        guard let leaf = certificates.first else { throw .malformed("the JWT header's x5c is empty") }
        guard !trustAnchors.isEmpty else { throw .untrustedChain("no trust anchor is configured") }
        var verifier = Verifier(rootCertificates: CertificateStore(trustAnchors)) {
            RFC5280Policy(fixedExpiryValidationTime: now)
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(certificates.dropFirst()))
        switch result {
        case .validCertificate:
            return leaf
        case .couldNotValidate(let failures):
            let reasons = failures.map { String(describing: $0.policyFailureReason) }
            let why =
                reasons.isEmpty
                ? "no path from the signing certificate \(leaf.subject) to a trust anchor"
                : reasons.joined(separator: "; ")
            throw .untrustedChain(why)
        }
    }
}
