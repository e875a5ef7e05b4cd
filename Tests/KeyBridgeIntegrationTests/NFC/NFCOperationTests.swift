import Foundation
import KeyBridgeFIDO
import KeyBridgePCSC
import XCTest

/// Every CTAP operation over NFC: libfido2 drives the virtual card through keybridge's ISO 7816
/// transport, pcscd and vsmartcard's vpcd.
final class NFCOperationTests: XCTestCase {
    func testRegisterSignInPINCredentialManagementAndResetOverNFC() async throws {
        let card = try VirtualCardProcess()
        let discovered = DeviceDiscovery(virtualKeyDirectory: "/nonexistent").devices()
        let listed = try XCTUnwrap(discovered.first { $0.id == card.deviceID }, "\(discovered)")
        XCTAssertEqual(listed.transport, .nfc)
        XCTAssertEqual(Set(listed.capabilities), ["fido2", "u2f", "oath"])

        let key = try await card.open()
        let info = try await key.info()
        XCTAssertTrue(info.transports.contains("nfc"))
        try await key.setPIN("1357")
        let challenge = Fixtures.challenge()
        let registration = try await key.makeCredential(
            Fixtures.registration(residentKey: true, challenge: challenge, pin: "1357"))
        let verified = try FidoVerifier.verifyRegistration(registration, rpID: Fixtures.rpID, requireUV: true)
        XCTAssertEqual(registration.response.transports, ["nfc"])
        let assertion = try await key.getAssertion(Fixtures.signIn(credential: nil, challenge: Fixtures.challenge(), pin: "1357"))
        try FidoVerifier.verifyAssertion(assertion[0], rpID: Fixtures.rpID, publicKey: verified.publicKey, requireUV: true)

        let stored = try await key.discoverableCredentials(pin: "1357")
        XCTAssertEqual(stored.map(\.credentialId), [registration.id])
        do {
            try await key.changePIN(from: "0000", to: "2468")
            XCTFail("a wrong PIN must be refused")
        } catch {
            XCTAssertEqual(error, .pinInvalid(retriesLeft: 7))
        }
        try await key.deleteCredential(id: Base64URL.decode(registration.id)!, pin: "1357")
        let none = try await key.discoverableCredentials(pin: "1357")
        XCTAssertTrue(none.isEmpty)
        try await key.reset()
        let afterReset = try await key.info()
        XCTAssertEqual(afterReset.options["clientPin"], false)
        await key.close()

        // The registration made over NFC verifies in py_webauthn too.
        let verdict = try WebAuthnPeer.verifyRegistration(
            registration, challenge: challenge, origin: Fixtures.origin, rpID: Fixtures.rpID)
        XCTAssertTrue(verdict.verified, verdict.error ?? "")
    }

    func testChainingAndGetResponseBothWaysWithoutExtendedAPDUs() async throws {
        let card = try VirtualCardProcess(options: ["--no-extended-apdu", "--attestation", "packed"])
        let key = try await card.open()
        let longName = String(repeating: "a-very-long-user-name-", count: 3) + "@example.com"
        var request = Fixtures.registration(user: longName, challenge: Fixtures.challenge())
        request.user.displayName = String(repeating: "Display Name ", count: 5)
        let first = try await key.makeCredential(request)
        XCTAssertGreaterThan(Base64URL.decode(first.response.attestationObject)!.count, 256, "the reply needs GET RESPONSE")

        // A long exclude list makes the request far longer than one short APDU.
        var excluded = Fixtures.registration(user: "bob", challenge: Fixtures.challenge())
        excluded.excludeCredentials = (0..<10).map { _ in (0..<64).map { _ in UInt8.random(in: 0...255) } }
            + [Base64URL.decode(first.id)!]
        do {
            _ = try await key.makeCredential(excluded)
            XCTFail("the exclude list holds this key's credential")
        } catch {
            XCTAssertEqual(error, .credentialExcluded)
        }
        let stats = try card.control(["cmd": "stats"])
        XCTAssertGreaterThan(stats["apdus"] as? Int ?? 0, 6, "chained pieces and GET RESPONSEs were exchanged")
        await key.close()
    }

    func testFiftyDiscoverableCredentialsAreListed() async throws {
        let card = try VirtualCardProcess()
        let key = try await card.open()
        try await key.setPIN("1357")
        for index in 0..<50 {
            _ = try await key.makeCredential(
                Fixtures.registration(user: "user\(index)@example.com", residentKey: true, challenge: Fixtures.challenge(), pin: "1357"))
        }
        let listed = try await key.discoverableCredentials(rpID: Fixtures.rpID, pin: "1357")
        XCTAssertEqual(listed.count, 50)
        XCTAssertEqual(Set(listed.compactMap(\.userName)).count, 50)
        await key.close()
    }

    func testKeepAliveWhileTheCardWaitsForPresence() async throws {
        let card = try VirtualCardProcess(options: ["--presence", "wait"])
        let key = try await card.open()
        let prompted = Flag()
        let toucher = Task.detached {
            // Touched once the keep-alive has reached the prompt, not after a guessed delay.
            try await prompted.wait(timeout: .seconds(15))
            try card.control(["cmd": "touch"])
        }
        let registration = try await key.makeCredential(
            Fixtures.registration(challenge: Fixtures.challenge()), onTouchNeeded: { prompted.set() })
        try await toucher.value
        XCTAssertTrue(prompted.value, "the card's 91 00 keep-alive (status 2) reached the touch prompt")
        XCTAssertFalse(registration.id.isEmpty)

        // No touch: the operation is cancelled on the card (NFCCTAP_GETRESPONSE P1=0x11) in time.
        var request = Fixtures.registration(challenge: Fixtures.challenge())
        request.timeout = .milliseconds(1500)
        let start = ContinuousClock.now
        do {
            _ = try await key.makeCredential(request)
            XCTFail("nobody touched the card")
        } catch {
            XCTAssertEqual(error, .userActionTimeout)
        }
        XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(1700))
        await key.close()
    }
}

/// Two virtual cards at once, one per vpcd reader.
final class SeveralCardsTests: XCTestCase {
    func testTwoCardsOnTwoReadersWorkIndependently() async throws {
        let first = try VirtualCardProcess(slot: 0, options: ["--aaguid", "11111111-1111-4111-8111-111111111111"])
        let second = try VirtualCardProcess(slot: 1, options: ["--aaguid", "22222222-2222-4222-8222-222222222222"])
        let ids = DeviceDiscovery(virtualKeyDirectory: "/nonexistent").devices().map(\.id)
        XCTAssertTrue(ids.contains(first.deviceID) && ids.contains(second.deviceID), "\(ids)")
        let a = try await first.open()
        let b = try await second.open()
        let infoA = try await a.info()
        let infoB = try await b.info()
        XCTAssertEqual(infoA.aaguid, "11111111-1111-4111-8111-111111111111")
        XCTAssertEqual(infoB.aaguid, "22222222-2222-4222-8222-222222222222")
        let registration = try await a.makeCredential(Fixtures.registration(challenge: Fixtures.challenge()))
        do {
            _ = try await b.getAssertion(Fixtures.signIn(credential: registration.id, challenge: Fixtures.challenge()))
            XCTFail("the second card does not hold the first card's credential")
        } catch {
            XCTAssertEqual(error, .noCredentials)
        }
        await a.close()
        await b.close()
    }
}
