import Foundation
import KeyBridgeFIDO
import XCTest

/// keybridge's own relying-party verifier (swift-crypto, no hardware library: what the registration
/// module and the server use) agrees with libfido2's on real keys' registrations and assertions —
/// every algorithm and attestation kind the virtual key makes — and both refuse the same tampering.
final class VerifierAgreementTests: XCTestCase {
    func testOwnVerifierAgreesWithLibfido2OnEveryAlgorithmAndAttestation() async throws {
        for attestation in ["packed", "self", "none"] {
            let vkey = try VirtualKeyProcess(options: ["--attestation", attestation])
            let key = try await vkey.open()
            for algorithm in [COSEAlgorithm.es256, .edDSA] {
                let label = "\(attestation)/\(algorithm.name)"
                let registration = try await key.makeCredential(Fixtures.registration(challenge: Fixtures.challenge(), algorithms: [algorithm]))
                let theirs = try FidoVerifier.verifyRegistration(registration, rpID: Fixtures.rpID)
                let ours = try WebAuthnVerifier.verifyRegistration(registration, rpID: Fixtures.rpID)
                XCTAssertEqual(ours.credentialID, theirs.credentialID, label)
                XCTAssertEqual(ours.publicKey, theirs.publicKey, label)
                XCTAssertEqual(ours.algorithm, algorithm.rawValue, label)
                XCTAssertEqual(ours.format, theirs.format, label)
                XCTAssertEqual(ours.attestationSignatureChecked, theirs.attestationSignatureChecked, label)
                XCTAssertThrowsError(try WebAuthnVerifier.verifyRegistration(registration, rpID: "evil.example"), label) {
                    guard case .verificationFailed(let message) = $0 as? KeyBridgeError else { return XCTFail("\(label): \($0)") }
                    XCTAssertTrue(message.contains("rpIdHash does not match evil.example"), "\(label): \(message)")
                }

                var tampered = registration
                var object = Base64URL.decode(tampered.response.attestationObject)!
                object[object.count - 5] ^= 0x55  // inside the signature (or, for none, the credential key)
                tampered.response.attestationObject = Base64URL.encode(object)
                let libfido2Refuses = (try? FidoVerifier.verifyRegistration(tampered, rpID: Fixtures.rpID)) == nil
                let oursRefuses = (try? WebAuthnVerifier.verifyRegistration(tampered, rpID: Fixtures.rpID)) == nil
                XCTAssertEqual(oursRefuses, libfido2Refuses, "\(label): both refuse or both accept a flipped byte")
                if attestation != "none" { XCTAssertTrue(oursRefuses, "\(label): a broken attestation signature is refused") }

                let assertion = try await key.getAssertion(Fixtures.signIn(credential: registration.id, challenge: Fixtures.challenge()))[0]
                try FidoVerifier.verifyAssertion(assertion, rpID: Fixtures.rpID, publicKey: theirs.publicKey)
                try WebAuthnVerifier.verifyAssertion(assertion, rpID: Fixtures.rpID, publicKey: ours.publicKey)
                var forged = assertion
                var signature = Base64URL.decode(forged.response.signature)!
                signature[signature.count - 3] ^= 0x01
                forged.response.signature = Base64URL.encode(signature)
                XCTAssertThrowsError(try FidoVerifier.verifyAssertion(forged, rpID: Fixtures.rpID, publicKey: theirs.publicKey), label) {
                    guard case .verificationFailed(let message) = $0 as? KeyBridgeError else { return XCTFail("\(label): \($0)") }
                    XCTAssertTrue(message.contains("signature does not verify"), "\(label): \(message)")
                }
                XCTAssertThrowsError(try WebAuthnVerifier.verifyAssertion(forged, rpID: Fixtures.rpID, publicKey: ours.publicKey), label) {
                    XCTAssertEqual($0 as? KeyBridgeError, .verificationFailed("the assertion signature does not verify"), label)
                }
                XCTAssertThrowsError(
                    try WebAuthnVerifier.verifyAssertion(assertion, rpID: Fixtures.rpID, publicKey: ours.publicKey, requireUV: true),
                    "\(label): no UV flag without a PIN"
                ) { XCTAssertEqual($0 as? KeyBridgeError, .verificationFailed("the UV flag is not set"), label) }
            }
            await key.close()
        }
    }
}
