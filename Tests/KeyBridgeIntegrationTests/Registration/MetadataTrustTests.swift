import Foundation
import KeyBridgeFIDO
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// Registration under policy with FIDO metadata: the virtual key's own attestation CA listed as a
/// metadata entry for its AAGUID is what makes its attestation trusted; the entry's certification
/// level is recorded and held against the policy's minimum; a compromised model is refused.
final class MetadataTrustTests: XCTestCase {
    let kiosk = ClientContext(address: "10.0.0.5", device: "hr-kiosk-1")
    let user = DirectoryUser(upn: "dana@contoso.com", displayName: "Dana", homeTenant: "contoso", mfaEnforcement: .identityProtection)
    static let virtualKeyAAGUID = "f1d0f1d0-6b65-7962-7269-646765000001"

    /// A metadata payload with one entry: `aaguid`, `root` as its attestation root, and `statuses` as its reports.
    private func payload(aaguid: String, root: String, statuses: [(String, String)], serial: Int = 7) -> Data {
        let der = ManageModeFIDO2Tests.der(root)
        let reports = statuses.map { #"{"status": "\#($0.0)", "effectiveDate": "\#($0.1)"}"# }.joined(separator: ", ")
        return Data(
            """
            {"legalHeader": "test", "no": \(serial), "nextUpdate": "2099-01-01", "entries": [
              {"aaguid": "\(aaguid)", "statusReports": [\(reports)], "timeOfLastStatusChange": "2025-06-01",
               "metadataStatement": {"aaguid": "\(aaguid)", "description": "keybridge Virtual Key (from metadata)",
                 "attestationRootCertificates": ["\(Data(der).base64EncodedString())"]}}]}
            """.utf8)
    }

    private func service(_ adjust: (inout FIDO2Settings) -> Void) async throws -> RegistrationService {
        var configuration = TenantConfiguration(
            methods: AuthenticationMethodsPolicy(enabled: [.fido2SecurityKey: PolicyTarget()]),
            sspr: SSPRPolicy(scope: .off, allowedMethods: []),
            access: RegistrationAccessRule(allowFirstRegistrationWithoutProof: true),
            relyingParty: RelyingParty(id: "example.com", name: "Example"), origin: "https://example.com")
        configuration.methods.fido2.enforceAttestation = true
        configuration.methods.fido2.trustMetadata = true
        adjust(&configuration.methods.fido2)
        let store = try SQLiteRegistrationStore()
        try await store.save(user: user)
        return RegistrationService(store: store, configurations: ["contoso": configuration])
    }

    /// One registration of `vkey` through manage mode.
    private func register(_ vkey: VirtualKeyProcess, on service: RegistrationService) async throws(RegistrationError) -> RegisteredMethod {
        let session = try await ManageSession.open(service, upn: user.upn, tenant: "contoso", client: kiosk)
        let options = try await session.beginFIDO2Registration()
        let response: RegistrationResponseJSON
        do {
            let key = try await vkey.open()
            defer { Task { await key.close() } }
            var request = MakeCredentialRequest(
                relyingParty: options.relyingParty, user: UserEntity(id: options.userHandle, name: options.userName, displayName: options.userDisplayName),
                clientData: .challenge(options.challenge, origin: options.origin))
            request.excludeCredentials = options.excludeCredentials
            request.timeout = .seconds(10)
            response = try await key.makeCredential(request)
        } catch {
            throw .store("the virtual key failed: \(error)")
        }
        return try await session.completeFIDO2Registration(response)
    }

    private func importing(_ data: Data, into service: RegistrationService) async throws {
        _ = try await service.importMetadata(data, unsigned: true, trustAnchors: [], admin: "it@contoso.com", client: kiosk)
    }

    func testTheMetadataEntrysRootMakesTheAttestationTrustedAndNamesTheModel() async throws {
        let vkey = try VirtualKeyProcess(options: ["--attestation", "packed"])
        let root = try XCTUnwrap(vkey.control(["cmd": "info"])["attestationRootPEM"] as? String)
        let service = try await service { _ in }
        // Without an entry for its AAGUID, enforced attestation has nothing to trust.
        try await importing(payload(aaguid: "00000000-0000-0000-0000-000000000001", root: root, statuses: [("FIDO_CERTIFIED_L1", "2025-01-01")]), into: service)
        do {
            _ = try await register(vkey, on: service)
            XCTFail("no anchor and no metadata entry: refused")
        } catch {
            guard case .attestationUntrusted(let detail) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("FIDO metadata"), detail)
        }
        // With its entry, the chain to the listed root is trusted; the model and level come from the list.
        try await importing(payload(aaguid: Self.virtualKeyAAGUID, root: root, statuses: [("FIDO_CERTIFIED_L1", "2025-01-01")], serial: 8), into: service)
        let method = try await register(vkey, on: service)
        XCTAssertEqual(method.fido2?.attestationTrusted, true)
        XCTAssertEqual(method.fido2?.model, "keybridge Virtual Key (from metadata)")
        XCTAssertEqual(method.fido2?.certificationLevel, "FIDO_CERTIFIED_L1")
    }

    func testAnotherCAsRootInTheEntryIsNotTrusted() async throws {
        let vkey = try VirtualKeyProcess(options: ["--attestation", "packed"])
        let other = try VirtualKeyProcess(options: ["--attestation", "packed"])
        let otherRoot = try XCTUnwrap(other.control(["cmd": "info"])["attestationRootPEM"] as? String)
        let service = try await service { _ in }
        try await importing(payload(aaguid: Self.virtualKeyAAGUID, root: otherRoot, statuses: [("FIDO_CERTIFIED_L2", "2025-01-01")]), into: service)
        do {
            _ = try await register(vkey, on: service)
            XCTFail("a chain to another CA must be refused")
        } catch {
            guard case .attestationUntrusted = error else { return XCTFail("\(error)") }
        }
        await XCTAssertTrueAsync(try await service.store.methods(upn: self.user.upn, tenant: "contoso").isEmpty)
    }

    func testAPolicyDemandingLevel2RefusesALevel1ModelNamingBothLevels() async throws {
        let vkey = try VirtualKeyProcess(options: ["--attestation", "packed"])
        let root = try XCTUnwrap(vkey.control(["cmd": "info"])["attestationRootPEM"] as? String)
        let service = try await service { $0.minimumCertificationLevel = "FIDO_CERTIFIED_L2" }
        try await importing(payload(aaguid: Self.virtualKeyAAGUID, root: root, statuses: [("FIDO_CERTIFIED_L1", "2025-01-01")]), into: service)
        do {
            _ = try await register(vkey, on: service)
            XCTFail("an L1 model under an L2 minimum must be refused")
        } catch {
            XCTAssertEqual(
                error,
                .certificationInsufficient(
                    "keybridge Virtual Key (from metadata) (AAGUID \(Self.virtualKeyAAGUID)) is FIDO_CERTIFIED_L1; the policy requires FIDO_CERTIFIED_L2 or higher"))
        }
        await XCTAssertTrueAsync(try await service.store.methods(upn: self.user.upn, tenant: "contoso").isEmpty, "nothing stored")
        await XCTAssertEqualAsync(try await service.store.auditEvents(tenant: "contoso").last?.reason?.hasPrefix("certificationInsufficient"), true)
    }

    func testAModelWhoseLatestStatusIsRevokedIsRefusedNamingTheStatus() async throws {
        let vkey = try VirtualKeyProcess(options: ["--attestation", "packed"])
        let root = try XCTUnwrap(vkey.control(["cmd": "info"])["attestationRootPEM"] as? String)
        // Listed out of order: the latest report by date is the revocation.
        let statuses = [("REVOKED", "2025-09-01"), ("FIDO_CERTIFIED_L2", "2025-01-01")]
        let service = try await service { _ in }
        try await importing(payload(aaguid: Self.virtualKeyAAGUID, root: root, statuses: statuses), into: service)
        do {
            _ = try await register(vkey, on: service)
            XCTFail("a revoked model must be refused")
        } catch {
            guard case .authenticatorCompromised(let detail) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.hasSuffix("is REVOKED"), detail)
        }
        // An admin who turns the check off takes it (the status is still the list's).
        let lenient = try await self.service { $0.refuseCompromisedKeys = false }
        try await importing(payload(aaguid: Self.virtualKeyAAGUID, root: root, statuses: statuses), into: lenient)
        let method = try await register(vkey, on: lenient)
        XCTAssertEqual(method.fido2?.certificationLevel, "FIDO_CERTIFIED_L2")
    }

    /// The real list: TruU Windows Authenticator's latest status is REVOKED, a YubiKey 5 NFC is
    /// FIDO_CERTIFIED_L1. A virtual key claiming each AAGUID meets the rules as that model would.
    func testRealMetadataRefusesARevokedModelAndHoldsAnL1ModelToTheMinimum() async throws {
        let real = try Data(contentsOf: URL(fileURLWithPath: try FidoMDS.payloadPath()))
        let plain = try await service { $0.enforceAttestation = false; $0.trustMetadata = false }
        try await importing(real, into: plain)
        let truU = try VirtualKeyProcess(options: ["--aaguid", "ba86dc56-635f-4141-aef6-00227b1b9af6"])
        do {
            _ = try await register(truU, on: plain)
            XCTFail("a model the metadata reports REVOKED must be refused")
        } catch {
            XCTAssertEqual(
                error,
                .authenticatorCompromised(
                    "the FIDO metadata's latest status for TruU Windows Authenticator (AAGUID ba86dc56-635f-4141-aef6-00227b1b9af6) is REVOKED"))
        }

        let yubiKey = try VirtualKeyProcess(options: ["--aaguid", "2fc0579f-8113-47ea-b116-bb5a8db9202a"])
        let strict = try await service { $0.enforceAttestation = false; $0.trustMetadata = false; $0.minimumCertificationLevel = "FIDO_CERTIFIED_L2" }
        try await importing(real, into: strict)
        do {
            _ = try await register(yubiKey, on: strict)
            XCTFail("an L1 model under an L2 minimum must be refused")
        } catch {
            guard case .certificationInsufficient(let detail) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("is FIDO_CERTIFIED_L1; the policy requires FIDO_CERTIFIED_L2"), detail)
        }
        let method = try await register(yubiKey, on: plain)
        XCTAssertEqual(method.fido2?.certificationLevel, "FIDO_CERTIFIED_L1")
        XCTAssertEqual(method.fido2?.model?.hasPrefix("YubiKey 5"), true, method.fido2?.model ?? "")
    }
}
