import Foundation
import KeyBridgeFIDO
@testable import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// Adding a FIDO2 key through manage mode with a registration made by keybridge against the
/// virtual key, and every refusal: each a typed error, nothing stored, an audit entry written.
final class ManageModeFIDO2Tests: XCTestCase {
    let kiosk = ClientContext(address: "10.0.0.5", device: "hr-kiosk-1")
    let user = DirectoryUser(
        upn: "dana@contoso.com", displayName: "Dana", homeTenant: "contoso", mfaEnforcement: .identityProtection)

    private func service(_ adjust: (inout TenantConfiguration) -> Void = { _ in }) async throws -> RegistrationService {
        var configuration = TenantConfiguration(
            methods: AuthenticationMethodsPolicy(enabled: [.fido2SecurityKey: PolicyTarget(), .phone: PolicyTarget()]),
            sspr: SSPRPolicy(scope: .all, allowedMethods: [.phone]),
            // The gate's first-registration default is tested in FirstRegistrationGateTests.
            access: RegistrationAccessRule(
                allowedNetworks: ["10.0.0.0/8"], trustedDevices: ["hr-kiosk-1"], allowFirstRegistrationWithoutProof: true),
            relyingParty: RelyingParty(id: "example.com", name: "Example"), origin: "https://example.com")
        adjust(&configuration)
        let store = try SQLiteRegistrationStore()
        try await store.save(user: user)
        return RegistrationService(store: store, configurations: ["contoso": configuration])
    }

    /// Runs make-credential on the key with the session's options (as the bridge does).
    private func register(
        _ key: SecurityKey, _ options: FIDO2CreationOptions, origin: String? = nil, rpID: String? = nil
    ) async throws -> RegistrationResponseJSON {
        var request = MakeCredentialRequest(
            relyingParty: RelyingParty(id: rpID ?? options.relyingParty.id, name: options.relyingParty.name),
            user: UserEntity(id: options.userHandle, name: options.userName, displayName: options.userDisplayName),
            clientData: .challenge(options.challenge, origin: origin ?? options.origin))
        request.excludeCredentials = options.excludeCredentials
        request.residentKey = options.residentKey
        request.timeout = .seconds(10)
        return try await key.makeCredential(request)
    }

    private func assertRefused(
        _ service: RegistrationService, _ expected: RegistrationError, file: StaticString = #filePath, line: UInt = #line,
        _ body: () async throws -> Void
    ) async throws {
        do {
            try await body()
            XCTFail("expected \(expected)", file: file, line: line)
        } catch let error as RegistrationError {
            XCTAssertEqual(error, expected, file: file, line: line)
        }
        await XCTAssertTrueAsync(try await service.store.methods(upn: user.upn, tenant: "contoso").isEmpty, "nothing stored", file: file, line: line)
        let last = try await service.store.auditEvents(tenant: "contoso").last
        XCTAssertEqual(last?.outcome, .failure, file: file, line: line)
        XCTAssertEqual(last?.reason, expected.code, file: file, line: line)
    }

    /// Under enforced attestation, a packed attestation whose certificate chains to a root that is
    /// not one of the tenant's anchors is refused — here another virtual key's root, a CA with the
    /// same name but another key, so only a real signature check can tell them apart.
    func testAnAttestationChainingToARootThatIsNotAnAnchorIsRefused() async throws {
        let vkey = try VirtualKeyProcess(options: ["--attestation", "packed"])
        let other = try VirtualKeyProcess(options: ["--attestation", "packed"])
        let ownRoot = try XCTUnwrap(vkey.control(["cmd": "info"])["attestationRootPEM"] as? String)
        let otherRoot = try XCTUnwrap(other.control(["cmd": "info"])["attestationRootPEM"] as? String)
        XCTAssertNotEqual(ownRoot, otherRoot, "each virtual key has its own attestation CA")
        let service = try await service { $0.methods.fido2.enforceAttestation = true; $0.methods.fido2.trustAnchorsDER = [Self.der(otherRoot)] }
        let session = try await ManageSession.open(service, upn: user.upn, tenant: "contoso", client: kiosk)
        let key = try await vkey.open()
        let response = try await register(key, try await session.beginFIDO2Registration())
        await key.close()
        do {
            _ = try await session.completeFIDO2Registration(response)
            XCTFail("a chain to a root that is not an anchor must be refused")
        } catch {
            guard case .attestationUntrusted = error else { return XCTFail("expected attestationUntrusted, got \(error)") }
        }
        await XCTAssertTrueAsync(try await service.store.methods(upn: user.upn, tenant: "contoso").isEmpty, "nothing stored")
        await XCTAssertEqualAsync(try await service.store.auditEvents(tenant: "contoso").last?.reason, "attestationUntrusted")
    }

    func testAddAKeyMadeByKeybridgeAndSignInWithItAsMFA() async throws {
        let vkey = try VirtualKeyProcess(options: ["--attestation", "packed"])
        let root = try XCTUnwrap(vkey.control(["cmd": "info"])["attestationRootPEM"] as? String)
        let service = try await service { $0.methods.fido2.enforceAttestation = true; $0.methods.fido2.trustAnchorsDER = [Self.der(root)] }
        let session = try await ManageSession.open(service, upn: user.upn, tenant: "contoso", client: kiosk)
        let options = try await session.beginFIDO2Registration()
        let key = try await vkey.open()
        let response = try await register(key, options)
        let method = try await session.completeFIDO2Registration(response, friendlyName: "Blue key")
        XCTAssertEqual(method.kind, .fido2SecurityKey)
        XCTAssertEqual(method.fido2?.attestationLevel, "basic")
        XCTAssertEqual(method.fido2?.attestationTrusted, true, "it chained to the tenant's anchor")
        XCTAssertEqual(method.fido2.map { UUIDFormatting.string($0.aaguid) }, "f1d0f1d0-6b65-7962-7269-646765000001")
        XCTAssertEqual(Base64URL.encode(method.fido2?.credentialID ?? []), response.id)
        await XCTAssertEqualAsync(try await service.store.auditEvents(tenant: "contoso").last?.action, "register")

        // The key now serves MFA: manage mode demands it, and an assertion over a fresh challenge opens it.
        await XCTAssertThrowsErrorAsync(try await ManageSession.open(service, upn: user.upn, tenant: "contoso", client: kiosk)) {
            XCTAssertEqual($0 as? RegistrationError, .mfaRequired)
        }
        let challenge = try await service.mfaChallenge(upn: user.upn, tenant: "contoso")
        var signIn = GetAssertionRequest(relyingPartyID: "example.com", clientData: .challenge(challenge, origin: "https://example.com"))
        signIn.allowCredentials = [Base64URL.decode(response.id)!]
        let assertion = try await key.getAssertion(signIn)[0]
        await XCTAssertNoThrowAsync(try await ManageSession.open(service, upn: user.upn, tenant: "contoso", client: kiosk, proof: .fido2Assertion(assertion)))
        // Replaying the same assertion is refused (single-use challenge).
        await XCTAssertThrowsErrorAsync(try await ManageSession.open(service, upn: user.upn, tenant: "contoso", client: kiosk, proof: .fido2Assertion(assertion))) {
            guard case .mfaProofRejected = $0 as? RegistrationError else { return XCTFail("\($0)") }
        }
        await key.close()
    }

    func testRefusalsStoreNothingAndAreAudited() async throws {
        // Self attestation: the credential key signs authData, so tampering is detectable.
        let vkey = try VirtualKeyProcess(options: ["--attestation", "self"])
        let key = try await vkey.open()

        let plain = try await service()
        var session = try await ManageSession.open(plain, upn: user.upn, tenant: "contoso", client: kiosk)
        var options = try await session.beginFIDO2Registration()
        let good = try await register(key, options)
        var tampered = good
        var signatureArea = Base64URL.decode(tampered.response.attestationObject)!
        signatureArea[signatureArea.count - 5] ^= 0x55
        tampered.response.attestationObject = Base64URL.encode(signatureArea)
        try await assertRefused(plain, .signatureInvalid) {
            _ = try await session.completeFIDO2Registration(tampered)
        }
        try await assertRefused(plain, .challengeUnknownOrUsed) {
            _ = try await session.completeFIDO2Registration(good)  // the challenge was used
        }
        options = try await session.beginFIDO2Registration()
        let wrongOrigin = try await register(key, options, origin: "https://evil.example")
        try await assertRefused(plain, .wrongOrigin(expected: "https://example.com", got: "https://evil.example")) {
            _ = try await session.completeFIDO2Registration(wrongOrigin)
        }
        options = try await session.beginFIDO2Registration()
        let wrongRP = try await register(key, options, rpID: "evil.example")
        try await assertRefused(plain, .wrongRelyingParty) {
            _ = try await session.completeFIDO2Registration(wrongRP)
        }

        let expiring = try await service { $0.challengeLifetime = 0.2 }
        session = try await ManageSession.open(expiring, upn: user.upn, tenant: "contoso", client: kiosk)
        options = try await session.beginFIDO2Registration()
        let late = try await register(key, options)
        try await Task.sleep(for: .milliseconds(400))
        try await assertRefused(expiring, .challengeExpired) {
            _ = try await session.completeFIDO2Registration(late)
        }

        let blocking = try await service { $0.methods.fido2.restriction = .block(["f1d0f1d0-6b65-7962-7269-646765000001"]) }
        session = try await ManageSession.open(blocking, upn: user.upn, tenant: "contoso", client: kiosk)
        options = try await session.beginFIDO2Registration()
        let blocked = try await register(key, options)
        try await assertRefused(blocking, .aaguidBlocked("f1d0f1d0-6b65-7962-7269-646765000001")) {
            _ = try await session.completeFIDO2Registration(blocked)
        }

        let noneKey = try VirtualKeyProcess(options: ["--attestation", "none"])
        let unattested = try await noneKey.open()
        let enforcing = try await service { $0.methods.fido2.enforceAttestation = true }
        session = try await ManageSession.open(enforcing, upn: user.upn, tenant: "contoso", client: kiosk)
        options = try await session.beginFIDO2Registration()
        let none = try await register(unattested, options)
        await unattested.close()
        try await assertRefused(enforcing, .attestationRequired) {
            _ = try await session.completeFIDO2Registration(none)
        }

        let untrusted = try await service()
        await XCTAssertThrowsErrorAsync(
            try await ManageSession.open(untrusted, upn: user.upn, tenant: "contoso", client: ClientContext(address: "198.51.100.7"))
        ) { error in
            guard case .accessDenied = error as? RegistrationError else { return XCTFail("\(error)") }
        }
        await XCTAssertEqualAsync(try await untrusted.store.auditEvents(tenant: "contoso").last?.reason, "accessDenied")
        await key.close()
    }

    func testWithoutMFAAKeyCannotBeAddedForAUserWithAnMFAMethod() async throws {
        let service = try await service()
        let session = try await ManageSession.open(service, upn: user.upn, tenant: "contoso", client: kiosk)
        _ = try await session.add(MethodDraft(kind: .phone, displayValue: "+1 555 0100"))
        await XCTAssertThrowsErrorAsync(try await ManageSession.open(service, upn: user.upn, tenant: "contoso", client: kiosk)) {
            XCTAssertEqual($0 as? RegistrationError, .mfaRequired)
        }
        await XCTAssertEqualAsync(try await service.store.auditEvents(tenant: "contoso").last?.reason, "mfaRequired")
    }

    func testADuplicateKeyIsRefused() async throws {
        // With `none` attestation nothing signs authData, so a client can resubmit a known credential
        // id in a fresh registration: the manage session must refuse it as a duplicate.
        let vkey = try VirtualKeyProcess(options: ["--attestation", "none"])
        let key = try await vkey.open()
        let service = try await service()
        let session = try await ManageSession.open(service, upn: user.upn, tenant: "contoso", client: kiosk)
        var options = try await session.beginFIDO2Registration()
        let first = try await session.completeFIDO2Registration(try await register(key, options))
        let known = try XCTUnwrap(first.fido2?.credentialID)

        options = try await session.beginFIDO2Registration()
        XCTAssertEqual(options.excludeCredentials, [known])
        var request = MakeCredentialRequest(
            relyingParty: options.relyingParty,
            user: UserEntity(id: options.userHandle, name: options.userName), clientData: .challenge(options.challenge, origin: options.origin))
        request.timeout = .seconds(10)
        var second = try await key.makeCredential(request)  // the client ignored the exclude list
        var object = Base64URL.decode(second.response.attestationObject)!
        let fresh = Base64URL.decode(second.id)!
        XCTAssertEqual(fresh.count, known.count)
        let range = try XCTUnwrap(object.firstRange(of: fresh))
        object.replaceSubrange(range, with: known)
        second.response.attestationObject = Base64URL.encode(object)
        second.id = Base64URL.encode(known)
        second.rawId = second.id
        do {
            _ = try await session.completeFIDO2Registration(second)
            XCTFail("a known credential must be refused")
        } catch {
            XCTAssertEqual(error, .duplicateCredential)
        }
        await XCTAssertEqualAsync(try await service.store.methods(upn: user.upn, tenant: "contoso").count, 1, "nothing more stored")
        await XCTAssertEqualAsync(try await service.store.auditEvents(tenant: "contoso").last?.reason, "duplicateCredential")
        await key.close()
    }

    static func der(_ pem: String) -> [UInt8] {
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return [UInt8](Data(base64Encoded: body) ?? Data())
    }
}
