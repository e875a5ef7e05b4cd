import Foundation
@_spi(FixedExpiryValidationTime) import X509

extension MetadataEntry {
    /// Whether the attestation chain `x5c` (DER, leaf first) chains to one of ``attestationRootCertificates``,
    /// with every certificate valid at `time` (swift-certificates `Verifier`, RFC 5280 policy).
    ///
    /// False when `x5c` is empty, a certificate in it does not parse, or the entry has no parsable root.
    public func trusts(x5c: [[UInt8]], at time: Date) async -> Bool {
        guard let leafDER = x5c.first, let leaf = try? Certificate(derEncoded: leafDER) else { return false }
        var intermediates: [Certificate] = []
        for der in x5c.dropFirst() {
            guard let certificate = try? Certificate(derEncoded: der) else { return false }
            intermediates.append(certificate)
        }
        let roots = attestationRootCertificates.compactMap { try? Certificate(derEncoded: $0) }
        guard !roots.isEmpty else { return false }
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
            RFC5280Policy(fixedExpiryValidationTime: time)
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
        if case .validCertificate = result { return true }
        return false
    }
}
