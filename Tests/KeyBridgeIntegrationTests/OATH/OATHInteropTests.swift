import Foundation
import KeyBridgeYKOATH
import XCTest

/// The virtual OATH applet through the real pcscd, against independent tools: ykman (PyPI
/// `yubikey-manager`) and Debian's `oathtool` give the same codes as `keybridge oath code`.
final class OATHInteropTests: XCTestCase {
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

    private func keybridge(_ arguments: [String], card: VirtualCardProcess, environment: [String: String] = [:]) throws
        -> ProcessResult
    {
        try ProcessRunner.run(
            TestPaths.keybridge, arguments + ["--device", card.deviceID], environment: environment, timeout: 30)
    }

    private var ykman: String { URL(fileURLWithPath: TestPaths.peerPython).deletingLastPathComponent().appendingPathComponent("ykman").path }

    /// Waits until at least `margin` seconds remain in the current 30-second step.
    private func avoidStepBoundary(margin: Int = 8) {
        let second = Int(Date().timeIntervalSince1970) % 30
        if second > 30 - margin { Thread.sleep(forTimeInterval: Double(31 - second)) }
    }

    private func codes(_ result: ProcessResult) throws -> [String: String] {
        let rows = try JSONSerialization.jsonObject(with: result.stdoutData) as? [[String: Any]] ?? []
        var codes: [String: String] = [:]
        for row in rows { codes[row["name"] as? String ?? ""] = row["code"] as? String }
        return codes
    }

    func testKeybridgeYkmanAndOathtoolAgreeOnCodes() throws {
        let card = try VirtualCardProcess()
        let added = try keybridge(
            ["oath", "add", "--uri", "otpauth://totp/Example:alice?secret=\(secret)&issuer=Example", "--json"], card: card)
        XCTAssertEqual(added.status, 0, added.stdout + added.stderr)
        let sha256 = try keybridge(
            ["oath", "add", "--account", "bob", "--issuer", "Bank", "--secret", secret, "--algorithm", "SHA256",
             "--digits", "8", "--json"], card: card)
        XCTAssertEqual(sha256.status, 0, sha256.stdout + sha256.stderr)

        avoidStepBoundary()
        let ours = try codes(try keybridge(["oath", "code", "--json"], card: card))
        let theirs = try ProcessRunner.run(ykman, ["--reader", card.reader, "oath", "accounts", "code"], timeout: 60)
        XCTAssertEqual(theirs.status, 0, theirs.stdout + theirs.stderr)
        let oathtool = try ProcessRunner.run("/usr/bin/oathtool", ["--totp", "-b", secret])
        let oathtool256 = try ProcessRunner.run("/usr/bin/oathtool", ["--totp=sha256", "--digits=8", "-b", secret])

        let alice = try XCTUnwrap(ours["Example:alice"])
        let bob = try XCTUnwrap(ours["Bank:bob"])
        XCTAssertEqual(alice.count, 6)
        XCTAssertEqual(bob.count, 8)
        XCTAssertEqual(alice, oathtool.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertEqual(bob, oathtool256.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertTrue(theirs.stdout.contains("Example:alice") && theirs.stdout.contains(alice), theirs.stdout)
        XCTAssertTrue(theirs.stdout.contains("Bank:bob") && theirs.stdout.contains(bob), theirs.stdout)
    }

    func testAnAccountYkmanAddsIsListedByKeybridge() throws {
        let card = try VirtualCardProcess()
        let added = try ProcessRunner.run(
            ykman, ["--reader", card.reader, "oath", "accounts", "add", "-f", "-i", "Corp", "-o", "hotp", "carol", secret],
            timeout: 60)
        XCTAssertEqual(added.status, 0, added.stdout + added.stderr)
        let listed = try keybridge(["oath", "list", "--json"], card: card)
        let rows = try JSONSerialization.jsonObject(with: listed.stdoutData) as? [[String: Any]] ?? []
        let carol = try XCTUnwrap(rows.first { $0["name"] as? String == "Corp:carol" }, listed.stdout)
        XCTAssertEqual(carol["type"] as? String, "hotp")
        // HOTP codes are reported, not silently computed, until asked for by name.
        let all = try codes(try keybridge(["oath", "code", "--json"], card: card))
        XCTAssertNil(all["Corp:carol"] ?? nil)
        let named = try codes(try keybridge(["oath", "code", "carol", "--json"], card: card))
        XCTAssertEqual(named["Corp:carol"], OTPGenerator.hotp(secret: Base32.decode(secret)!, counter: 0))
    }

    func testPasswordProtectedAppletThroughPCSC() throws {
        let card = try VirtualCardProcess()
        _ = try keybridge(["oath", "add", "--account", "dave", "--secret", secret, "--json"], card: card)
        let set = try keybridge(
            ["oath", "password", "set", "--json"], card: card, environment: ["KEYBRIDGE_OATH_NEW_PASSWORD": "s3cret"])
        XCTAssertEqual(set.status, 0, set.stdout + set.stderr)
        let locked = try keybridge(["oath", "list", "--json"], card: card)
        XCTAssertEqual(locked.status, 4)
        XCTAssertTrue(locked.stdout.contains("authenticationRequired"), locked.stdout)
        let wrong = try keybridge(["oath", "list", "--json"], card: card, environment: ["KEYBRIDGE_OATH_PASSWORD": "nope"])
        XCTAssertEqual(wrong.status, 4)
        XCTAssertTrue(wrong.stdout.contains("wrongPassword"), wrong.stdout)
        let right = try keybridge(["oath", "list", "--json"], card: card, environment: ["KEYBRIDGE_OATH_PASSWORD": "s3cret"])
        XCTAssertEqual(right.status, 0, right.stdout)
        XCTAssertTrue(right.stdout.contains("dave"))
        let viaYkman = try ProcessRunner.run(
            ykman, ["--reader", card.reader, "oath", "accounts", "list", "-p", "s3cret"], timeout: 60)
        XCTAssertTrue(viaYkman.stdout.contains("dave"), viaYkman.stdout + viaYkman.stderr)
    }

    func testMalformedTLVReplyIsATypedError() throws {
        let card = try VirtualCardProcess()
        try card.control(["cmd": "oathMalformNextReply"])
        let broken = try keybridge(["oath", "list", "--json"], card: card)
        XCTAssertEqual(broken.status, 7)
        XCTAssertTrue(broken.stdout.contains("malformedResponse"), broken.stdout)
        let next = try keybridge(["oath", "list", "--json"], card: card)
        XCTAssertEqual(next.status, 0, "the next command works")
    }
}
