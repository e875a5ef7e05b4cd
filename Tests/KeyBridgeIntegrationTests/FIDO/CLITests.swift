import Foundation
import KeyBridgeFIDO
import XCTest

/// The `keybridge` command line, run as a user would, with its JSON checked by py_webauthn.
final class CLITests: XCTestCase {
    private func keybridge(_ arguments: [String], vkey: VirtualKeyProcess, environment: [String: String] = [:])
        throws -> ProcessResult
    {
        var env = environment
        env["KEYBRIDGE_VKEY_DIR"] = vkey.directory.path
        // Name the key explicitly: other keys (an NFC card left by another test) must not matter.
        let withDevice = arguments.first == "devices" ? arguments : arguments + ["--device", vkey.deviceID]
        return try ProcessRunner.run(TestPaths.keybridge, withDevice, environment: env)
    }

    func testBase64URLValuesThatStartWithADashAreValuesNotOptions() throws {
        let vkey = try VirtualKeyProcess()
        // base64url uses '-': a random challenge starts with it one time in 64.
        let challenge = "-" + Base64URL.encode(Fixtures.challenge()).dropFirst()
        let made = try keybridge(
            ["fido", "make-credential", "--rp", Fixtures.rpID, "--user", "alice", "--user-id", "-AAAAAAAAAAAAAAAAAAAAA",
             "--challenge", challenge, "--origin", Fixtures.origin, "--json"], vkey: vkey)
        XCTAssertEqual(made.status, 0, made.stderr)
        let registration = try JSONDecoder().decode(RegistrationResponseJSON.self, from: made.stdoutData)
        let clientData = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(Base64URL.decode(registration.response.clientDataJSON ?? "") ?? [])) as? [String: Any])
        XCTAssertEqual(clientData["challenge"] as? String, challenge)
    }

    func testMakeCredentialAndGetAssertionPrintWebAuthnJSONThatPyWebAuthnAccepts() throws {
        let vkey = try VirtualKeyProcess()
        let devices = try keybridge(["devices", "--json"], vkey: vkey)
        XCTAssertEqual(devices.status, 0, devices.stderr)
        let listed = try JSONDecoder().decode([DeviceDescriptor].self, from: devices.stdoutData)
        XCTAssertTrue(listed.map(\.id).contains(vkey.deviceID), "\(listed)")
        XCTAssertEqual(listed.first { $0.id == vkey.deviceID }?.transport, .virtual)

        let challenge = Fixtures.challenge()
        let made = try keybridge(
            ["fido", "make-credential", "--rp", Fixtures.rpID, "--user", "alice", "--challenge", Base64URL.encode(challenge),
             "--origin", Fixtures.origin, "--json"], vkey: vkey)
        XCTAssertEqual(made.status, 0, made.stderr)
        let registration = try JSONDecoder().decode(RegistrationResponseJSON.self, from: made.stdoutData)
        let verdict = try WebAuthnPeer.verifyRegistration(
            registration, challenge: challenge, origin: Fixtures.origin, rpID: Fixtures.rpID)
        XCTAssertTrue(verdict.verified, verdict.error ?? "")

        let signInChallenge = Fixtures.challenge()
        let signed = try keybridge(
            ["fido", "get-assertion", "--rp", Fixtures.rpID, "--credential", registration.id,
             "--challenge", Base64URL.encode(signInChallenge), "--origin", Fixtures.origin, "--json"], vkey: vkey)
        XCTAssertEqual(signed.status, 0, signed.stderr)
        let assertion = try JSONDecoder().decode(AuthenticationResponseJSON.self, from: signed.stdoutData)
        let accepted = try WebAuthnPeer.verifyAuthentication(
            assertion, challenge: signInChallenge, origin: Fixtures.origin, rpID: Fixtures.rpID,
            publicKey: try XCTUnwrap(verdict.fields["publicKey"] as? String), signCount: 0)
        XCTAssertTrue(accepted.verified, accepted.error ?? "")
    }

    func testPINCommandsAndTypedJSONErrorsWithExitCodes() throws {
        let vkey = try VirtualKeyProcess()
        let set = try keybridge(["fido", "pin", "set", "--json"], vkey: vkey, environment: ["KEYBRIDGE_NEW_PIN": "2468"])
        XCTAssertEqual(set.status, 0, set.stderr + set.stdout)
        let wrong = try keybridge(["fido", "credentials", "list", "--json"], vkey: vkey, environment: ["KEYBRIDGE_PIN": "1111"])
        XCTAssertEqual(wrong.status, 4)
        let error = try XCTUnwrap(
            (try JSONSerialization.jsonObject(with: wrong.stdoutData) as? [String: Any])?["error"] as? [String: Any])
        XCTAssertEqual(error["code"] as? String, "pinInvalid")
        XCTAssertEqual(error["retriesLeft"] as? Int, 7)
        XCTAssertFalse(wrong.stdout.contains("1111") || wrong.stderr.contains("1111"), "the PIN is never printed")

        let retries = try keybridge(["fido", "pin", "retries", "--json"], vkey: vkey)
        XCTAssertEqual(retries.status, 0)
        XCTAssertEqual((try JSONSerialization.jsonObject(with: retries.stdoutData) as? [String: Any])?["pinRetries"] as? Int, 7)

        let pinFile = vkey.directory.appendingPathComponent("pin").path
        try "2468\n".write(toFile: pinFile, atomically: true, encoding: .utf8)
        let listed = try keybridge(["fido", "credentials", "list", "--pin-file", pinFile, "--json"], vkey: vkey)
        XCTAssertEqual(listed.status, 0, listed.stderr + listed.stdout)

        let noKey = try ProcessRunner.run(
            TestPaths.keybridge, ["info", "--json"], environment: ["KEYBRIDGE_VKEY_DIR": "/nonexistent"])
        XCTAssertEqual(noKey.status, 3)
        XCTAssertTrue(noKey.stdout.contains("\"deviceNotFound\""))
    }

    func testResetNeedsConfirmation() throws {
        let vkey = try VirtualKeyProcess()
        let refused = try keybridge(["fido", "reset", "--json"], vkey: vkey)
        XCTAssertEqual(refused.status, 2, "a reset without --yes must be refused when nobody can confirm")
        let done = try keybridge(["fido", "reset", "--yes", "--json"], vkey: vkey)
        XCTAssertEqual(done.status, 0, done.stderr + done.stdout)
    }
}
