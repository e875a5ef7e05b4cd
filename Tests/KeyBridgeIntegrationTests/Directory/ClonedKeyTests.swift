import Foundation
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// A key whose sign counter goes backwards is refused as a possible clone: a virtual key is
/// registered, its state saved, used once to sign in (the directory records the higher counter),
/// then restarted from the saved state — a copy of the key as it was — and its next sign-in is
/// refused with the counter named, audited, and no session opened.
final class ClonedKeyTests: XCTestCase {
    func testASignCounterThatGoesBackwardsIsRefusedAsAClone() async throws {
        let setup = try SecurityInfoServerTests.Setup(.local, policy: SecurityInfoServerTests.policy())
        let user = SecurityInfoServerTests.user
        let keys = try TestPaths.temporaryDirectory()
        let state = keys.appendingPathComponent("key.state").path
        var key = try VirtualKeyProcess(options: ["--state", state], directory: keys, name: "key.sock")
        var result = try setup.securityInfo(
            ["add", "security-key", "--user", user, "--device", key.deviceID, "--json"],
            environment: try setup.firstRegistration().merging(["KEYBRIDGE_NEW_PIN": SecurityInfoServerTests.pin]) { $1 })
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)

        // The copy: the key's state as it is now.
        key.stop()
        let copy = keys.appendingPathComponent("copy.state").path
        try FileManager.default.copyItem(atPath: state, toPath: copy)
        key = try VirtualKeyProcess(options: ["--state", state], directory: keys, name: "key.sock")

        // The original signs in: the directory's counter moves past the copy's.
        result = try setup.securityInfo(["list", "--user", user, "--mfa-device", key.deviceID, "--json"], environment: ["KEYBRIDGE_PIN": SecurityInfoServerTests.pin])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let counter = try await setup.directory.methods(user).first?.fido2?.signCount ?? 0
        XCTAssertGreaterThan(counter, 0)

        // The copy signs in with a counter the directory has already seen: refused.
        key.stop()
        let clone = try VirtualKeyProcess(options: ["--state", copy], directory: keys, name: "clone.sock")
        result = try setup.securityInfo(["list", "--user", user, "--mfa-device", clone.deviceID, "--json"], environment: ["KEYBRIDGE_PIN": SecurityInfoServerTests.pin])
        XCTAssertEqual(result.status, 12, result.stdout + result.stderr)
        let error = (try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])?["error"] as? [String: Any]
        XCTAssertEqual(error?["code"] as? String, "mfaProofRejected", result.stdout)
        XCTAssertTrue((error?["detail"] as? String ?? "").contains("sign counter went backwards"), result.stdout)
        await XCTAssertEqualAsync(try await setup.directory.methods(user).first?.fido2?.signCount, counter, "the stored counter stays")
        // The clone signal has an audit event of its own, naming the key and both counters.
        let events = try await setup.directory.audit()
        let signal = try XCTUnwrap(events.last { $0.action == "signCountRegression" }, "\(events.map(\.action))")
        XCTAssertEqual(signal.outcome, .failure)
        let keyID = try await setup.directory.methods(user).first?.id ?? "?"
        XCTAssertEqual(signal.reason, "mfaProofRejected: key \(keyID): counter \(counter), stored \(counter); the key may be cloned")
    }
}
