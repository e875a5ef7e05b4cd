import Foundation
import XCTest

/// `keybridge doctor` names exactly what this machine lacks, and `keybridge udev install|check`
/// installs the rule that the repository ships.
final class DoctorTests: XCTestCase {
    private func findings(_ result: ProcessResult) throws -> [String: [String: Any]] {
        let rows = try JSONSerialization.jsonObject(with: result.stdoutData) as? [[String: Any]] ?? []
        var byCheck: [String: [String: Any]] = [:]
        for row in rows { byCheck[row["check"] as? String ?? ""] = row }
        return byCheck
    }

    func testDoctorNamesWhatIsMissingOnThisMachine() throws {
        let rules = try TestPaths.temporaryDirectory()
        let result = try ProcessRunner.run(TestPaths.keybridge, ["doctor", "--json", "--rules-dir", rules.path])
        XCTAssertEqual(result.status, 1, "a missing udev rule is a problem: \(result.stdout)")
        let found = try findings(result)

        XCTAssertEqual(found["libfido2"]?["status"] as? String, "ok")
        XCTAssertTrue((found["libfido2"]?["detail"] as? String ?? "").contains("1.12"), "\(found["libfido2"] ?? [:])")
        XCTAssertEqual(found["udevRules"]?["status"] as? String, "problem")
        XCTAssertEqual(found["udevRules"]?["fix"] as? String, "keybridge udev install")

        let hasUdev = ["/usr/bin/udevadm", "/bin/udevadm", "/sbin/udevadm"].contains {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        XCTAssertEqual(found["udev"]?["status"] as? String, hasUdev ? "ok" : "problem")
        // scripts/test runs pcscd with the vpcd driver, so pcscd answers and its readers are flagged.
        XCTAssertEqual(found["pcscd"]?["status"] as? String, "ok")
        XCTAssertEqual(found["readers"]?["status"] as? String, "warning")
        XCTAssertTrue((found["readers"]?["detail"] as? String ?? "").contains("Virtual PCD 00 00"))
        let hidraw = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/hidraw")) ?? []
        if hidraw.isEmpty { XCTAssertNotEqual(found["hidraw"]?["status"] as? String, "problem") }
    }

    func testUdevInstallWritesTheShippedRuleAndCheckAgrees() throws {
        let rules = try TestPaths.temporaryDirectory()
        let before = try ProcessRunner.run(TestPaths.keybridge, ["udev", "check", "--rules-dir", rules.path])
        XCTAssertEqual(before.status, 1)
        let install = try ProcessRunner.run(
            TestPaths.keybridge, ["udev", "install", "--files-only", "--rules-dir", rules.path, "--json"])
        XCTAssertEqual(install.status, 0, install.stdout + install.stderr)
        let installed = try String(contentsOf: rules.appendingPathComponent("70-keybridge.rules"), encoding: .utf8)
        let shipped = try String(
            contentsOf: TestPaths.packageRoot.appendingPathComponent("udev-rules/70-keybridge.rules"), encoding: .utf8)
        XCTAssertEqual(installed, shipped, "the binary installs exactly the rule in udev-rules/")
        XCTAssertTrue(installed.contains("ENV{ID_FIDO_TOKEN}==\"1\", TAG+=\"uaccess\""))
        let after = try ProcessRunner.run(TestPaths.keybridge, ["udev", "check", "--rules-dir", rules.path])
        XCTAssertEqual(after.status, 0, after.stdout)
        let doctor = try ProcessRunner.run(TestPaths.keybridge, ["doctor", "--json", "--rules-dir", rules.path])
        XCTAssertEqual(try findings(doctor)["udevRules"]?["status"] as? String, "ok")
    }
}
