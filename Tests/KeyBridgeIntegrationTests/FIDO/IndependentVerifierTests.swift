import Foundation
import KeyBridgeFIDO
import XCTest

/// py_webauthn, an independent relying-party library, accepts what keybridge produces and
/// rejects tampered copies.
final class IndependentVerifierTests: XCTestCase {
    func testPyWebAuthnAcceptsRegistrationAndAssertionAndRejectsTamperedOnes() async throws {
        let vkey = try VirtualKeyProcess(options: ["--attestation", "packed"])
        let root = try XCTUnwrap(vkey.control(["cmd": "info"])["attestationRootPEM"] as? String)
        let key = try await vkey.open()
        let challenge = Fixtures.challenge()
        let registration = try await key.makeCredential(Fixtures.registration(challenge: challenge))

        let verdict = try WebAuthnPeer.verifyRegistration(
            registration, challenge: challenge, origin: Fixtures.origin, rpID: Fixtures.rpID,
            rootCertificatesPEM: [root])
        XCTAssertTrue(verdict.verified, verdict.error ?? "")
        XCTAssertEqual(verdict.fields["fmt"] as? String, "packed")
        XCTAssertEqual(verdict.fields["credentialId"] as? String, registration.id)

        let wrongChallenge = try WebAuthnPeer.verifyRegistration(
            registration, challenge: Fixtures.challenge(), origin: Fixtures.origin, rpID: Fixtures.rpID)
        XCTAssertFalse(wrongChallenge.verified, "a different challenge must be rejected")
        var tampered = registration
        var object = Base64URL.decode(tampered.response.attestationObject)!
        object[object.count - 40] ^= 0xFF  // inside the credential public key / signature area
        tampered.response.attestationObject = Base64URL.encode(object)
        let tamperedVerdict = try WebAuthnPeer.verifyRegistration(
            tampered, challenge: challenge, origin: Fixtures.origin, rpID: Fixtures.rpID)
        XCTAssertFalse(tamperedVerdict.verified, "a tampered attestation object must be rejected")

        let publicKey = try XCTUnwrap(verdict.fields["publicKey"] as? String)
        let signInChallenge = Fixtures.challenge()
        let assertion = try await key.getAssertion(Fixtures.signIn(credential: registration.id, challenge: signInChallenge))[0]
        let accepted = try WebAuthnPeer.verifyAuthentication(
            assertion, challenge: signInChallenge, origin: Fixtures.origin, rpID: Fixtures.rpID,
            publicKey: publicKey, signCount: verdict.fields["signCount"] as? Int ?? 0)
        XCTAssertTrue(accepted.verified, accepted.error ?? "")

        var forged = assertion
        var signature = Base64URL.decode(forged.response.signature)!
        signature[signature.count - 1] ^= 0x01
        forged.response.signature = Base64URL.encode(signature)
        let rejected = try WebAuthnPeer.verifyAuthentication(
            forged, challenge: signInChallenge, origin: Fixtures.origin, rpID: Fixtures.rpID,
            publicKey: publicKey, signCount: 0)
        XCTAssertFalse(rejected.verified, "a tampered signature must be rejected")
        let wrongOrigin = try WebAuthnPeer.verifyAuthentication(
            assertion, challenge: signInChallenge, origin: "https://evil.example", rpID: Fixtures.rpID,
            publicKey: publicKey, signCount: 0)
        XCTAssertFalse(wrongOrigin.verified, "a different origin must be rejected")
        await key.close()
    }
}
