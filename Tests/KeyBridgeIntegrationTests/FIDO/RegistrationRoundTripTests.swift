import Crypto
import Foundation
import KeyBridgeCBOR
import KeyBridgeFIDO
import XCTest

/// Register + sign in through real libfido2 against a virtual key in another process, with
/// signatures checked by libfido2 (`fido_cred_verify`, `fido_assert_verify`) and by swift-crypto.
final class RegistrationRoundTripTests: XCTestCase {
    func testRegisterAndSignInES256VerifiedByLibfido2AndSwiftCrypto() async throws {
        let vkey = try VirtualKeyProcess(options: ["--attestation", "packed"])
        let key = try await vkey.open()
        let challenge = Fixtures.challenge()
        let registration = try await key.makeCredential(Fixtures.registration(challenge: challenge, algorithms: [.es256]))

        XCTAssertEqual(registration.type, "public-key")
        XCTAssertEqual(registration.id, registration.rawId)
        XCTAssertEqual(registration.response.publicKeyAlgorithm, -7)
        let clientData = try Fixtures.clientData(registration.response.clientDataJSON)
        XCTAssertEqual(clientData["type"] as? String, "webauthn.create")
        XCTAssertEqual(clientData["challenge"] as? String, Base64URL.encode(challenge))
        XCTAssertEqual(clientData["origin"] as? String, Fixtures.origin)

        let verified = try FidoVerifier.verifyRegistration(registration, rpID: Fixtures.rpID)
        XCTAssertEqual(verified.format, "packed")
        XCTAssertTrue(verified.attestationSignatureChecked)
        XCTAssertEqual(Base64URL.encode(verified.credentialID), registration.id)
        XCTAssertThrowsError(try FidoVerifier.verifyRegistration(registration, rpID: "evil.example")) {
            guard case .verificationFailed(let message) = $0 as? KeyBridgeError else { return XCTFail("\($0)") }
            XCTAssertTrue(message.contains("rpIdHash does not match evil.example"), message)
        }

        let signInChallenge = Fixtures.challenge()
        let assertions = try await key.getAssertion(Fixtures.signIn(credential: registration.id, challenge: signInChallenge))
        XCTAssertEqual(assertions.count, 1)
        let assertion = assertions[0]
        XCTAssertEqual(assertion.id, registration.id)
        try FidoVerifier.verifyAssertion(assertion, rpID: Fixtures.rpID, publicKey: verified.publicKey)

        // The same signature checked independently with swift-crypto.
        let authData = Base64URL.decode(assertion.response.authenticatorData)!
        let clientDataHash = SHA256.hash(data: Base64URL.decode(assertion.response.clientDataJSON!)!)
        XCTAssertTrue(
            try COSEKey.verify(
                signature: Base64URL.decode(assertion.response.signature)!, message: authData + Array(clientDataHash),
                key: verified.publicKey))
        var tampered = authData
        tampered[10] ^= 0x01
        XCTAssertFalse(
            try COSEKey.verify(
                signature: Base64URL.decode(assertion.response.signature)!, message: tampered + Array(clientDataHash),
                key: verified.publicKey))

        // The sign counter moves forward.
        let second = try await key.getAssertion(Fixtures.signIn(credential: registration.id, challenge: Fixtures.challenge()))
        XCTAssertGreaterThan(
            try AuthenticatorData(Base64URL.decode(second[0].response.authenticatorData)!).signCount,
            try AuthenticatorData(authData).signCount)
        await key.close()
    }

    func testRegisterAndSignInEdDSA() async throws {
        let vkey = try VirtualKeyProcess(options: ["--attestation", "packed"])
        let key = try await vkey.open()
        let registration = try await key.makeCredential(
            Fixtures.registration(challenge: Fixtures.challenge(), algorithms: [.edDSA]))
        XCTAssertEqual(registration.response.publicKeyAlgorithm, -8)
        let verified = try FidoVerifier.verifyRegistration(registration, rpID: Fixtures.rpID)
        let assertion = try await key.getAssertion(Fixtures.signIn(credential: registration.id, challenge: Fixtures.challenge()))
        try FidoVerifier.verifyAssertion(assertion[0], rpID: Fixtures.rpID, publicKey: verified.publicKey)
        await key.close()
    }

    func testSelfAndNoneAttestation() async throws {
        for (mode, expectSignature) in [("self", true), ("none", false)] {
            let vkey = try VirtualKeyProcess(options: ["--attestation", mode])
            let key = try await vkey.open()
            let registration = try await key.makeCredential(Fixtures.registration(challenge: Fixtures.challenge()))
            let object = try AttestationObject(Base64URL.decode(registration.response.attestationObject)!)
            XCTAssertEqual(object.format, mode == "none" ? "none" : "packed", mode)
            XCTAssertNil(object.statement[textKey: "x5c"], mode)
            let verified = try FidoVerifier.verifyRegistration(registration, rpID: Fixtures.rpID)
            XCTAssertEqual(verified.attestationSignatureChecked, expectSignature, mode)
            await key.close()
        }
    }

    func testExcludeListRefusesAKeyAlreadyRegistered() async throws {
        let vkey = try VirtualKeyProcess()
        let key = try await vkey.open()
        let first = try await key.makeCredential(Fixtures.registration(challenge: Fixtures.challenge()))
        var again = Fixtures.registration(challenge: Fixtures.challenge())
        again.excludeCredentials = [Base64URL.decode(first.id)!]
        do {
            _ = try await key.makeCredential(again)
            XCTFail("a key in the exclude list must be refused")
        } catch {
            XCTAssertEqual(error, .credentialExcluded)
        }
        await key.close()
    }

    func testInfoReportsTheVirtualKeysGetInfo() async throws {
        let aaguid = "f1d0f1d0-0000-4000-8000-00000000beef"
        let vkey = try VirtualKeyProcess(options: ["--aaguid", aaguid])
        let key = try await vkey.open()
        let info = try await key.info()
        XCTAssertTrue(info.isFIDO2)
        XCTAssertEqual(info.aaguid, aaguid)
        XCTAssertTrue(info.versions.contains("FIDO_2_1"))
        XCTAssertTrue(info.extensions.contains("credProtect"))
        XCTAssertTrue(info.extensions.contains("hmac-secret"))
        XCTAssertEqual(info.options["rk"], true)
        XCTAssertEqual(info.options["clientPin"], false)
        XCTAssertEqual(info.pinProtocols.first, 2)
        XCTAssertTrue(info.algorithms.contains { $0.alg == -7 })
        XCTAssertGreaterThan(info.maxMessageSize, 0)
        XCTAssertNotNil(info.remainingDiscoverableCredentials)
        await key.close()
    }

    func testHMACSecretAndCredProtectExtensions() async throws {
        let vkey = try VirtualKeyProcess()
        let key = try await vkey.open()
        var request = Fixtures.registration(challenge: Fixtures.challenge())
        request.hmacSecret = true
        request.credentialProtection = .userVerificationOptionalWithCredentialIDList
        let registration = try await key.makeCredential(request)
        XCTAssertEqual(registration.clientExtensionResults.hmacCreateSecret, true)
        XCTAssertEqual(registration.clientExtensionResults.credProtect, 2)
        _ = try FidoVerifier.verifyRegistration(registration, rpID: Fixtures.rpID)

        var signIn = Fixtures.signIn(credential: registration.id, challenge: Fixtures.challenge())
        signIn.hmacSalt = Array(repeating: 7, count: 32)
        let first = try await key.getAssertion(signIn)
        let second = try await key.getAssertion(signIn)
        let output = try XCTUnwrap(first[0].clientExtensionResults.hmacGetSecret?.output1)
        XCTAssertEqual(Base64URL.decode(output)?.count, 32)
        XCTAssertEqual(output, second[0].clientExtensionResults.hmacGetSecret?.output1, "same salt, same secret")
        signIn.hmacSalt = Array(repeating: 8, count: 32)
        let other = try await key.getAssertion(signIn)
        XCTAssertNotEqual(output, other[0].clientExtensionResults.hmacGetSecret?.output1)
        await key.close()
    }
}
