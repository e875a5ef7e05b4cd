import Foundation
import KeyBridgeFIDO
import XCTest

/// PIN set/change, retries, the 3-in-a-row block until power cycle, and the lockout at zero,
/// as CTAP 2.1 §6.5 says, through libfido2.
final class PINTests: XCTestCase {
    func testSetChangeAndWrongPINDecrementsRetries() async throws {
        let vkey = try VirtualKeyProcess()
        let key = try await vkey.open()
        try await key.setPIN("1234")
        let retries = try await key.pinRetries()
        XCTAssertEqual(retries, 8)
        try await key.changePIN(from: "1234", to: "98765")
        do {
            try await key.changePIN(from: "1234", to: "55555")
            XCTFail("the old PIN must no longer work")
        } catch {
            XCTAssertEqual(error, .pinInvalid(retriesLeft: 7))
        }
        // A correct PIN restores the counter.
        _ = try await key.makeCredential(Fixtures.registration(challenge: Fixtures.challenge(), pin: "98765"))
        let after = try await key.pinRetries()
        XCTAssertEqual(after, 8)
        await key.close()
    }

    func testThreeWrongInARowBlockUntilPowerCycleAndEightBlockThePIN() async throws {
        let vkey = try VirtualKeyProcess()
        let key = try await vkey.open()
        try await key.setPIN("1234")
        var seen: [KeyBridgeError] = []
        for _ in 0..<3 {
            do {
                _ = try await key.makeCredential(Fixtures.registration(challenge: Fixtures.challenge(), pin: "0000"))
            } catch { seen.append(error) }
        }
        XCTAssertEqual(seen.count, 3)
        XCTAssertEqual(seen.last, .pinAuthBlocked, "the third wrong PIN in a row blocks until power cycle: \(seen)")
        do {
            _ = try await key.makeCredential(Fixtures.registration(challenge: Fixtures.challenge(), pin: "1234"))
            XCTFail("even the right PIN is refused until the key is power-cycled")
        } catch {
            XCTAssertEqual(error, .pinAuthBlocked)
        }
        await key.close()

        var wrongSoFar = 3
        while wrongSoFar < 8 {
            try vkey.control(["cmd": "powerCycle"])
            let session = try await vkey.open()
            for _ in 0..<min(3, 8 - wrongSoFar) {
                do {
                    try await session.changePIN(from: "0000", to: "4321")
                } catch { seen.append(error) }
                wrongSoFar += 1
            }
            await session.close()
        }
        try vkey.control(["cmd": "powerCycle"])
        let blocked = try await vkey.open()
        let left = try await blocked.pinRetries()
        XCTAssertEqual(left, 0)
        do {
            try await blocked.changePIN(from: "1234", to: "4321")
            XCTFail("a blocked PIN must refuse the right PIN too")
        } catch {
            XCTAssertEqual(error, .pinBlocked)
        }
        await blocked.close()
    }

    func testPINRequiredForCredentialManagementAndPolicyChecked() async throws {
        let vkey = try VirtualKeyProcess()
        let key = try await vkey.open()
        do {
            try await key.setPIN("12")
            XCTFail("a two-digit PIN breaks the minimum length")
        } catch {
            guard case .pinPolicyViolation = error else { return XCTFail("got \(error)") }
        }
        do {
            _ = try await key.credentialStorage(pin: "1234")
            XCTFail("no PIN is set yet")
        } catch {
            XCTAssertEqual(error, .pinNotSet)
        }
        await key.close()
    }

    func testBuiltInUserVerificationUsesAPermissionScopedToken() async throws {
        let vkey = try VirtualKeyProcess(options: ["--uv", "approve"])
        let key = try await vkey.open()
        try await key.setPIN("1234")
        var request = Fixtures.registration(challenge: Fixtures.challenge())
        request.userVerification = true
        let registration = try await key.makeCredential(request)
        let auth = try AuthenticatorData(Base64URL.decode(registration.response.authenticatorData)!)
        XCTAssertTrue(auth.flags.contains(.userVerified))
        var signIn = Fixtures.signIn(credential: registration.id, challenge: Fixtures.challenge())
        signIn.userVerification = true
        let assertion = try await key.getAssertion(signIn)
        XCTAssertTrue(
            try AuthenticatorData(Base64URL.decode(assertion[0].response.authenticatorData)!).flags.contains(.userVerified))
        let uvRetries = try await key.uvRetries()
        XCTAssertGreaterThan(uvRetries, 0)
        await key.close()
    }
}
