import Foundation
import KeyBridgeFIDO
import XCTest

/// CTAP 2.1 authenticatorConfig through libfido2: the minimum PIN length (before and after a PIN
/// exists) and the forced PIN change, on the virtual key over HID and as a contactless card, and
/// through `keybridge fido pin set-min-length` / `force-change`.
final class ConfigTests: XCTestCase {
    func testMinimumPINLengthBeforeAndAfterAPINExists() async throws {
        let vkey = try VirtualKeyProcess()
        let key = try await vkey.open()
        let fresh = try await key.info()
        XCTAssertEqual(fresh.minPINLength, 4)
        XCTAssertEqual(fresh.options["setMinPINLength"], true)

        // No PIN yet: no PIN is needed, and none is sent.
        try await key.setMinimumPINLength(6, pin: nil)
        let raised = try await key.info()
        XCTAssertEqual(raised.minPINLength, 6)
        XCTAssertFalse(raised.forcePINChange)
        await assertError("pinPolicyViolation", "the key refuses a PIN shorter than its minimum") {
            try await key.setPIN("12345")
        }
        try await key.setPIN("123456")

        // With a PIN: it is required, checked, and the minimum only rises.
        await assertError("pinRequired", "a key with a PIN needs it") { try await key.setMinimumPINLength(8, pin: nil) }
        await assertError("pinPolicyViolation", "the minimum cannot fall") {
            try await key.setMinimumPINLength(5, pin: "123456")
        }
        do {
            try await key.setMinimumPINLength(8, pin: "000000")
            XCTFail("a wrong PIN must be refused")
        } catch {
            XCTAssertEqual(error, .pinInvalid(retriesLeft: 7))
        }
        try await key.setMinimumPINLength(8, pin: "123456")
        let stricter = try await key.info()
        XCTAssertEqual(stricter.minPINLength, 8)
        XCTAssertTrue(stricter.forcePINChange, "the 6-character PIN is now too short, so it must be changed")

        // The old PIN no longer works, a too-short new PIN is refused, a long enough one clears the flag.
        await assertError("pinPolicyViolation", "a PIN change is pending") {
            _ = try await key.makeCredential(Fixtures.registration(challenge: Fixtures.challenge(), pin: "123456"))
        }
        await assertError("pinPolicyViolation", "7 characters are below the new minimum of 8") {
            try await key.changePIN(from: "123456", to: "1234567")
        }
        try await key.changePIN(from: "123456", to: "12345678")
        let changed = try await key.info()
        XCTAssertFalse(changed.forcePINChange)
        XCTAssertEqual(changed.minPINLength, 8)
        _ = try await key.makeCredential(Fixtures.registration(challenge: Fixtures.challenge(), pin: "12345678"))
        await key.close()
    }

    func testForcedPINChangeBlocksThePINUntilItIsChanged() async throws {
        let vkey = try VirtualKeyProcess()
        let key = try await vkey.open()
        await assertError("pinNotSet", "there is no PIN to change") { try await key.forcePINChange(pin: "1234") }
        try await key.setPIN("1234")
        try await key.forcePINChange(pin: "1234")
        let forced = try await key.info()
        XCTAssertTrue(forced.forcePINChange)
        XCTAssertEqual(forced.minPINLength, 4)
        await assertError("pinPolicyViolation", "the old PIN is refused until it is changed") {
            _ = try await key.makeCredential(Fixtures.registration(challenge: Fixtures.challenge(), pin: "1234"))
        }
        await assertError("pinPolicyViolation", "credential management needs the PIN too") {
            _ = try await key.credentialStorage(pin: "1234")
        }
        try await key.forcePINChange(pin: "1234")  // already pending: nothing to do
        let retries = try await key.pinRetries()
        XCTAssertEqual(retries, 8, "the right PIN was given each time")

        try await key.changePIN(from: "1234", to: "5678")
        let cleared = try await key.info()
        XCTAssertFalse(cleared.forcePINChange)
        _ = try await key.makeCredential(Fixtures.registration(challenge: Fixtures.challenge(), pin: "5678"))
        await key.close()
    }

    func testKeyWithoutAuthenticatorConfigIsReportedUnsupported() async throws {
        let vkey = try VirtualKeyProcess(options: ["--no-config"])
        let key = try await vkey.open()
        let info = try await key.info()
        XCTAssertNil(info.options["authnrCfg"])
        XCTAssertNil(info.options["setMinPINLength"])
        do {
            try await key.setMinimumPINLength(6, pin: nil)
            XCTFail("the key has no authenticatorConfig")
        } catch {
            guard case .unsupported(let what) = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(what.contains("authnrCfg"), what)
        }
        try await key.setPIN("1234")
        do {
            try await key.forcePINChange(pin: "1234")
            XCTFail("the key has no authenticatorConfig")
        } catch {
            guard case .unsupported = error else { return XCTFail("got \(error)") }
        }
        let unchanged = try await key.info()
        XCTAssertEqual(unchanged.minPINLength, 4)
        XCTAssertFalse(unchanged.forcePINChange)
        await key.close()
    }

    func testForcedPINChangeOverNFC() async throws {
        let card = try VirtualCardProcess()
        let key = try await card.open()
        try await key.setPIN("1357")
        try await key.setMinimumPINLength(6, pin: "1357")
        let raised = try await key.info()
        XCTAssertEqual(raised.minPINLength, 6)
        XCTAssertTrue(raised.forcePINChange, "the 4-digit PIN is below the new minimum")
        await assertError("pinPolicyViolation", "the short PIN must be changed first") {
            _ = try await key.makeCredential(Fixtures.registration(challenge: Fixtures.challenge(), pin: "1357"))
        }
        try await key.changePIN(from: "1357", to: "135790")
        let changed = try await key.info()
        XCTAssertFalse(changed.forcePINChange)
        _ = try await key.makeCredential(Fixtures.registration(challenge: Fixtures.challenge(), pin: "135790"))
        try await key.forcePINChange(pin: "135790")
        let forced = try await key.info()
        XCTAssertTrue(forced.forcePINChange)
        await key.close()
    }

    func testPINPolicyCommandsOnTheCommandLine() throws {
        let vkey = try VirtualKeyProcess()
        func keybridge(_ arguments: [String], pin: String? = nil, newPIN: String? = nil) throws -> ProcessResult {
            var environment = ["KEYBRIDGE_VKEY_DIR": vkey.directory.path]
            environment["KEYBRIDGE_PIN"] = pin
            environment["KEYBRIDGE_NEW_PIN"] = newPIN
            return try ProcessRunner.run(
                TestPaths.keybridge, ["fido", "pin"] + arguments + ["--device", vkey.deviceID], environment: environment)
        }
        func policy(_ result: ProcessResult) throws -> (minPINLength: Int?, forcePINChange: Bool?) {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])
            return (object["minPINLength"] as? Int, object["forcePINChange"] as? Bool)
        }
        func errorCode(_ result: ProcessResult) -> String? {
            let object = try? JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any]
            return (object?["error"] as? [String: Any])?["code"] as? String
        }

        let noPIN = try keybridge(["set-min-length", "6", "--json"])
        XCTAssertEqual(noPIN.status, 0, noPIN.stderr + noPIN.stdout)
        XCTAssertEqual(try policy(noPIN).minPINLength, 6)
        XCTAssertEqual(try policy(noPIN).forcePINChange, false)

        let tooShort = try keybridge(["set", "--json"], newPIN: "12345")
        XCTAssertEqual(tooShort.status, 4)
        XCTAssertEqual(errorCode(tooShort), "pinPolicyViolation")
        XCTAssertEqual(try keybridge(["set", "--json"], newPIN: "123456").status, 0)

        let forced = try keybridge(["force-change", "--json"], pin: "123456")
        XCTAssertEqual(forced.status, 0, forced.stderr + forced.stdout)
        XCTAssertEqual(try policy(forced).forcePINChange, true)
        XCTAssertFalse(forced.stdout.contains("123456") || forced.stderr.contains("123456"), "the PIN is never printed")
        let refused = try ProcessRunner.run(
            TestPaths.keybridge, ["fido", "credentials", "list", "--json", "--device", vkey.deviceID],
            environment: ["KEYBRIDGE_VKEY_DIR": vkey.directory.path, "KEYBRIDGE_PIN": "123456"])
        XCTAssertEqual(refused.status, 4)
        XCTAssertEqual(errorCode(refused), "pinPolicyViolation")

        XCTAssertEqual(try keybridge(["change", "--json"], pin: "123456", newPIN: "7654321").status, 0)
        let both = try keybridge(["set-min-length", "7", "--force-change", "--json"], pin: "7654321")
        XCTAssertEqual(both.status, 0, both.stderr + both.stdout)
        XCTAssertEqual(try policy(both).minPINLength, 7)
        XCTAssertEqual(try policy(both).forcePINChange, true, "the 7-character PIN is long enough; --force-change forced it")

        let lower = try keybridge(["set-min-length", "5", "--json"], pin: "7654321")
        XCTAssertEqual(lower.status, 4)
        XCTAssertEqual(errorCode(lower), "pinPolicyViolation")

        let help = try ProcessRunner.run(TestPaths.keybridge, ["fido", "pin", "set-min-length", "--help"])
        XCTAssertTrue(help.stdout.contains("--force-change") && help.stdout.contains("minPINLength"), help.stdout)
        let pinHelp = try ProcessRunner.run(TestPaths.keybridge, ["fido", "pin", "--help"])
        XCTAssertTrue(pinHelp.stdout.contains("set-min-length") && pinHelp.stdout.contains("force-change"), pinHelp.stdout)
    }

    /// Runs `body` and checks that it fails with the ``KeyBridgeError`` whose code is `code`.
    private func assertError(
        _ code: String, _ message: String, file: StaticString = #filePath, line: UInt = #line,
        _ body: () async throws -> Void
    ) async {
        do {
            try await body()
            XCTFail("expected \(code): \(message)", file: file, line: line)
        } catch let error as KeyBridgeError {
            XCTAssertEqual(error.code, code, "\(message): \(error)", file: file, line: line)
        } catch {
            XCTFail("expected \(code), got \(error): \(message)", file: file, line: line)
        }
    }
}
