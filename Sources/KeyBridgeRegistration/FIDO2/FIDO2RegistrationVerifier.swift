import Crypto
import Foundation
import KeyBridgeCBOR
import KeyBridgeMetadata
import KeyBridgeWebAuthn
import SwiftASN1
import X509

/// A FIDO2 registration that passed every manage-mode check. Its initializer is file-private:
/// only ``FIDO2RegistrationVerifier`` can make one, and the store's only way to add a FIDO2 key
/// takes one — so no other path can insert a key.
public struct VerifiedFIDO2Registration: Sendable {
    public let tenant: String
    public let upn: String
    public let record: FIDO2KeyRecord
    public let friendlyName: String?

    fileprivate init(tenant: String, upn: String, record: FIDO2KeyRecord, friendlyName: String?) {
        self.tenant = tenant
        self.upn = upn
        self.record = record
        self.friendlyName = friendlyName
    }
}

/// Relying-party verification of a `RegistrationResponseJSON` against the session's options and
/// the tenant's FIDO2 policy (WebAuthn Level 2 §7.1 with packed, self and none attestation).
struct FIDO2RegistrationVerifier {
    let settings: FIDO2Settings
    /// The challenge's expiry as the store kept it (already consumed: single use).
    let options: FIDO2CreationOptions
    /// The FIDO metadata entry of a key model by AAGUID (nil: none imported, or not listed).
    let metadata: @Sendable (String) async throws(RegistrationError) -> MetadataEntry?

    func verify(
        _ response: RegistrationResponseJSON, tenant: String, upn: String, friendlyName: String?
    ) async throws(RegistrationError) -> VerifiedFIDO2Registration {
        guard response.type == "public-key", response.id == response.rawId else {
            throw .malformedResponse("type must be public-key and id equal rawId")
        }
        guard let clientDataText = response.response.clientDataJSON, let clientData = Base64URL.decode(clientDataText),
            let parsed = try? JSONSerialization.jsonObject(with: Data(clientData)) as? [String: Any]
        else { throw .malformedResponse("clientDataJSON is missing or not JSON") }
        guard parsed["type"] as? String == "webauthn.create" else {
            throw .wrongCeremonyType(parsed["type"] as? String ?? "")
        }
        guard parsed["challenge"] as? String == Base64URL.encode(options.challenge) else { throw .challengeUnknownOrUsed }
        let origin = parsed["origin"] as? String ?? ""
        guard origin == options.origin else { throw .wrongOrigin(expected: options.origin, got: origin) }

        guard let objectBytes = Base64URL.decode(response.response.attestationObject),
            let object = try? AttestationObject(objectBytes), let attested = object.authenticatorData.attestedCredential
        else { throw .malformedResponse("the attestation object cannot be decoded") }
        let auth = object.authenticatorData
        guard auth.rpIDHash == Array(SHA256.hash(data: Array(options.relyingParty.id.utf8))) else {
            throw .wrongRelyingParty
        }
        guard auth.flags.contains(.userPresent) else { throw .userPresenceMissing }
        if options.userVerification && !auth.flags.contains(.userVerified) { throw .userVerificationMissing }
        guard Base64URL.encode(attested.credentialID) == response.id else {
            throw .malformedResponse("the credential id differs from authData's")
        }

        let aaguid = UUIDFormatting.string(attested.aaguid)
        let entry = try await metadata(aaguid)
        try checkMetadataStatus(entry, aaguid: aaguid)
        let level = try await checkAttestation(object, response: response, clientData: clientData, entry: entry)
        switch settings.restriction {
        case .none: break
        case .allow(let list): guard list.contains(aaguid) else { throw .aaguidNotAllowed(aaguid) }
        case .block(let list): guard !list.contains(aaguid) else { throw .aaguidBlocked(aaguid) }
        }
        if options.excludeCredentials.contains(attested.credentialID) { throw .duplicateCredential }
        let record = FIDO2KeyRecord(
            credentialID: attested.credentialID, publicKeyCOSE: attested.publicKeyCOSE, aaguid: attested.aaguid,
            signCount: auth.signCount, attestationLevel: level.name, model: entry?.description ?? level.model,
            attestationTrusted: level.trusted, certificationLevel: entry?.certificationLevel?.status)
        return VerifiedFIDO2Registration(tenant: tenant, upn: upn, record: record, friendlyName: friendlyName)
    }

    private struct Level {
        var name: String
        var model: String?
        /// The chain ended at one of the tenant's trust anchors.
        var trusted = false
    }

    /// The metadata's verdict on the key model: a compromise or revocation as its latest status
    /// (unless the policy turned that off), and the policy's minimum certification level.
    private func checkMetadataStatus(_ entry: MetadataEntry?, aaguid: String) throws(RegistrationError) {
        let name = entry?.description.map { "\($0) (AAGUID \(aaguid))" } ?? "AAGUID \(aaguid)"
        if settings.refuseCompromisedKeys, let status = entry?.compromise {
            throw .authenticatorCompromised("the FIDO metadata's latest status for \(name) is \(status)")
        }
        guard let minimum = settings.minimumCertificationLevel, let required = CertificationLevel(status: minimum) else { return }
        guard let level = entry?.certificationLevel else {
            throw .certificationInsufficient("the FIDO metadata has no certification for \(name); the policy requires \(minimum)")
        }
        guard level >= required else {
            throw .certificationInsufficient("\(name) is \(level.status); the policy requires \(minimum) or higher")
        }
    }

    /// The signature (through libfido2) and, for packed with x5c, the certificate rules and chain
    /// (to the admin's trust anchors, or with `trustMetadata` to the metadata entry's roots).
    private func checkAttestation(
        _ object: AttestationObject, response: RegistrationResponseJSON, clientData: [UInt8], entry: MetadataEntry?
    ) async throws(RegistrationError) -> Level {
        if object.format == "none" {
            if settings.enforceAttestation { throw .attestationRequired }
            _ = try signatureChecked(response)
            return Level(name: "none", model: nil)
        }
        guard object.format == "packed" else { throw .attestationUntrusted("attestation format \(object.format) is not supported") }
        _ = try signatureChecked(response)
        guard let chain = object.statement[textKey: "x5c"]?.arrayValue?.compactMap(\.bytesValue), let leafDER = chain.first
        else {
            if settings.enforceAttestation { throw .attestationRequired }
            return Level(name: "self", model: nil)
        }
        let leaf: Certificate
        do {
            leaf = try Certificate(derEncoded: leafDER)
        } catch {
            throw .attestationUntrusted("the attestation certificate cannot be parsed")
        }
        try checkPackedCertificateRules(leaf, aaguid: object.authenticatorData.attestedCredential?.aaguid ?? [])
        let model = Self.commonName(leaf) ?? leaf.subject.description
        let metadataRoots = settings.trustMetadata ? entry?.attestationRootCertificates ?? [] : []
        if settings.trustAnchorsDER.isEmpty && metadataRoots.isEmpty {
            if settings.enforceAttestation {
                throw .attestationUntrusted(
                    settings.trustMetadata
                        ? "the FIDO metadata has no attestation roots for this key model and no trust anchors are configured"
                        : "no trust anchors are configured")
            }
            return Level(name: "basic", model: model)
        }
        if try await chainsToAnchors(leaf, chain: chain) { return Level(name: "basic", model: model, trusted: true) }
        if let entry, !metadataRoots.isEmpty, await entry.trusts(x5c: chain, at: Date()) {
            return Level(name: "basic", model: model, trusted: true)
        }
        throw .attestationUntrusted(
            "the attestation certificate does not chain to a trusted root"
                + (settings.trustMetadata ? " (neither the configured anchors nor the FIDO metadata's roots for this key model)" : ""))
    }

    /// Whether the attestation chain ends at one of the admin's trust anchors.
    private func chainsToAnchors(_ leaf: Certificate, chain: [[UInt8]]) async throws(RegistrationError) -> Bool {
        guard !settings.trustAnchorsDER.isEmpty else { return false }
        let roots: [Certificate]
        let intermediates: [Certificate]
        do {
            roots = try settings.trustAnchorsDER.map { try Certificate(derEncoded: $0) }
            intermediates = try chain.dropFirst().map { try Certificate(derEncoded: $0) }
        } catch {
            throw .attestationUntrusted("a certificate cannot be parsed")
        }
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) { RFC5280Policy() }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
        if case .validCertificate = result { return true }
        return false
    }

    /// The attestation certificate's common name: vendors put the key model there.
    static func commonName(_ certificate: Certificate) -> String? {
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                let text = "\(attribute.value)"
                if !text.isEmpty { return text }
            }
        }
        return nil
    }

    /// libfido2 checks rpIdHash, UP and the attestation signature (fido_cred_verify / _verify_self).
    private func signatureChecked(_ response: RegistrationResponseJSON) throws(RegistrationError) -> WebAuthnVerifier.VerifiedRegistration {
        do {
            return try WebAuthnVerifier.verifyRegistration(
                response, rpID: options.relyingParty.id, requireUV: options.userVerification)
        } catch {
            throw .signatureInvalid
        }
    }

    /// WebAuthn §8.2.1: v3, OU "Authenticator Attestation", CA false, AAGUID extension matches.
    private func checkPackedCertificateRules(_ leaf: Certificate, aaguid: [UInt8]) throws(RegistrationError) {
        guard leaf.version == .v3 else { throw .attestationUntrusted("the attestation certificate is not X.509 v3") }
        let hasOU = leaf.subject.contains { rdn in
            rdn.contains { $0.type == .RDNAttributeType.organizationalUnitName && "\($0.value)" == "Authenticator Attestation" }
        }
        guard hasOU else { throw .attestationUntrusted("subject OU must be \"Authenticator Attestation\"") }
        if let constraints = try? leaf.extensions.basicConstraints, case .isCertificateAuthority = constraints {
            throw .attestationUntrusted("the attestation certificate must not be a CA")
        }
        let oid: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 45724, 1, 1, 4]
        if let extensionValue = leaf.extensions[oid: oid] {
            guard let octets = try? ASN1OctetString(derEncoded: extensionValue.value),
                Array(octets.bytes) == aaguid
            else { throw .attestationUntrusted("the certificate's AAGUID extension differs from authData") }
        }
    }
}
