import Foundation
import XCTest

/// `keybridge rig run` against virtual keys over the HID socket and as contactless cards in the
/// real pcscd; its JUnit XML checked against junit-10.xsd by an independent validator (xmlschema).
final class RigRunTests: XCTestCase {
    /// Runs the rig and returns its result and JSON report.
    private func rig(_ arguments: [String], in directory: URL, timeout: TimeInterval = 240) throws
        -> (result: ProcessResult, report: [String: Any], junit: String)
    {
        let json = directory.appendingPathComponent("rig.json").path
        let junit = directory.appendingPathComponent("rig.xml").path
        let result = try ProcessRunner.run(
            TestPaths.keybridge, ["rig", "run", "--json", json, "--junit", junit] + arguments, timeout: timeout)
        let data = try XCTUnwrap(FileManager.default.contents(atPath: json), "no JSON report; stderr: \(result.stderr)")
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (result, report, junit)
    }

    private func tests(_ report: [String: Any], key: Int = 0) -> [[String: Any]] {
        ((report["keys"] as? [[String: Any]])?[key]["tests"] as? [[String: Any]]) ?? []
    }

    private func ids(_ tests: [[String: Any]], _ result: String) -> [String] {
        tests.filter { $0["result"] as? String == result }.compactMap { $0["id"] as? String }
    }

    private func assertValidJUnit(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let check = try ProcessRunner.run(
            TestPaths.peerPython, [TestPaths.packageRoot.appendingPathComponent("scripts/peers/junit_validate.py").path, path])
        XCTAssertEqual(check.status, 0, "JUnit XML does not validate: \(check.stdout) \(check.stderr)", file: file, line: line)
        XCTAssertTrue(check.stdout.contains(#""valid": true"#), check.stdout, file: file, line: line)
    }

    func testTheWholeConformanceSuitePassesOnTheVirtualKeyOverHID() throws {
        let key = try VirtualKeyProcess(options: ["--serial", "KB-RIG-HID"])
        let (result, report, junit) = try rig(["--devices", key.deviceID, "--allow-reset"], in: key.directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        let all = tests(report)
        XCTAssertGreaterThan(ids(all, "passed").count, 55, result.stderr)
        XCTAssertEqual(ids(all, "failed") + ids(all, "error"), [], result.stderr)
        // What the virtual key does not offer over HID: ISO 7816 framing and large blobs.
        XCTAssertEqual(Set(ids(all, "skipped")).subtracting(["largeBlobs.initialArray"]).filter { !$0.hasPrefix("iso7816.") }, [])
        XCTAssertTrue(ids(all, "passed").contains("reset.requiresPresence"))
        XCTAssertEqual(ids(all, "needs-power-cycle"), [])
        let device = try XCTUnwrap((report["keys"] as? [[String: Any]])?.first?["device"] as? [String: Any])
        XCTAssertEqual(device["serialNumber"] as? String, "KB-RIG-HID")
        XCTAssertEqual((device["aaguid"] as? String)?.count, 36)
        XCTAssertEqual(report["schema"] as? String, "keybridge.rig/1")
        let sections = all.compactMap { $0["section"] as? String }
        XCTAssertTrue(sections.contains("6.5.5.7") && sections.contains("11.2.4") && sections.contains("12.5"))
        try assertValidJUnit(junit)
        XCTAssertTrue(result.stderr.contains("KB-RIG-HID"), "the summary table names the key: \(result.stderr)")
    }

    func testTheWholeConformanceSuitePassesOnTheContactlessCardThroughPCSC() throws {
        let card = try VirtualCardProcess(options: ["--serial", "KB-RIG-NFC"])
        let directory = try TestPaths.temporaryDirectory()
        let (result, report, junit) = try rig(["--devices", card.deviceID, "--allow-reset"], in: directory)
        XCTAssertEqual(result.status, 0, result.stderr)
        let all = tests(report)
        XCTAssertEqual(ids(all, "failed") + ids(all, "error"), [], result.stderr)
        // A card's touch cannot be refused from the rig (no control socket beside a reader).
        let notForCards: Set = ["largeBlobs.initialArray", "reset.requiresPresence"]
        XCTAssertEqual(Set(ids(all, "skipped")).subtracting(notForCards).filter { !$0.hasPrefix("ctaphid.") }, [])
        XCTAssertTrue(ids(all, "passed").contains("iso7816.getResponse") && ids(all, "passed").contains("iso7816.chaining"))
        let block = try XCTUnwrap(all.first { $0["id"] as? String == "clientPin.blockAfterThree" })
        XCTAssertEqual(block["result"] as? String, "passed")
        XCTAssertTrue((block["observations"] as? [String] ?? []).contains { $0.contains("PC/SC power-down") }, "\(block)")
        XCTAssertGreaterThan(try card.control(["cmd": "stats"])["powerOffs"] as? Int ?? 0, 0, "the card saw no power-off")
        try assertValidJUnit(junit)
    }

    func testEachInjectedFaultIsReportedAgainstTheTestItHitAndTheRunFinishes() throws {
        let key = try VirtualKeyProcess()
        let expected: [(String, String, String)] = [
            ("garbage", "error", "other channels"),
            ("wrongChannel", "error", "other channels"),
            ("truncatedCBOR", "failed", "not CBOR that CTAP2 allows"),
            ("nonCanonicalCBOR", "failed", "not CBOR that CTAP2 allows"),
            ("closeMidMessage", "error", "cannot be reached"),
        ]
        for (fault, result, message) in expected {
            // The rig's own getInfo on connecting is answered well; the first test's is spoiled.
            XCTAssertEqual(try key.control(["cmd": "fault", "kind": fault, "skip": 1])["ok"] as? Bool, true)
            let run = try rig(["--devices", key.deviceID, "--allow-reset", "--tags", "getInfo,cbor", "--timeout", "1"], in: key.directory)
            XCTAssertEqual(run.result.status, 15, "\(fault): \(run.result.stderr)")
            let all = tests(run.report)
            let hit = try XCTUnwrap(all.first, fault)
            XCTAssertEqual(hit["id"] as? String, "getInfo.fieldTypes", fault)
            XCTAssertEqual(hit["result"] as? String, result, "\(fault): \(hit)")
            XCTAssertTrue((hit["message"] as? String ?? "").contains(message), "\(fault): \(hit)")
            XCTAssertEqual(ids(all, "passed").count, all.count - 1, "\(fault): the other tests go on: \(all)")
            XCTAssertEqual(((run.report["keys"] as? [[String: Any]])?.first?["finished"] as? Bool), true)
        }
    }

    func testAKeyPulledMidRunFailsAloneAndTheOtherFinishes() throws {
        let directory = try TestPaths.temporaryDirectory()
        let steady = try VirtualKeyProcess(options: ["--serial", "KB-STEADY"], directory: directory, name: "a.sock")
        let pulled = try VirtualKeyProcess(options: ["--serial", "KB-PULLED"], directory: directory, name: "b.sock")
        let json = directory.appendingPathComponent("rig.json").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.keybridge)
        process.arguments = [
            "rig", "run", "--devices", steady.deviceID, pulled.deviceID, "--suite", "endurance", "--operations", "1500",
            "--json", json,
        ]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: json) && Date() < deadline { usleep(50_000) }
        usleep(700_000)
        pulled.stop()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 15)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let keys = try XCTUnwrap(report["keys"] as? [[String: Any]])
        let steadyTests = tests(report, key: 0)
        XCTAssertEqual(ids(steadyTests, "failed") + ids(steadyTests, "error"), [], "\(steadyTests)")
        XCTAssertTrue(ids(steadyTests, "passed").contains("endurance.makeCredential"))
        XCTAssertEqual((keys[0]["endurance"] as? [String: Any])?["errors"] as? Int, 0)
        let pulledTests = tests(report, key: 1)
        XCTAssertFalse(ids(pulledTests, "error").isEmpty, "\(pulledTests)")
        XCTAssertTrue(pulledTests.contains { ($0["message"] as? String ?? "").contains("cannot be reached") || ($0["message"] as? String ?? "").contains("gone") })
        XCTAssertEqual(keys.compactMap { $0["finished"] as? Bool }, [true, true])
    }

    func testAnInterruptedRunKeepsTheResultsSoFar() throws {
        let key = try VirtualKeyProcess(options: ["--presence", "delay", "--presence-delay-ms", "150"])
        let json = key.directory.appendingPathComponent("rig.json").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.keybridge)
        process.arguments = ["rig", "run", "--devices", key.deviceID, "--allow-reset", "--json", json]
        process.standardError = FileHandle.nullDevice
        try process.run()
        var written = 0
        let deadline = Date().addingTimeInterval(30)
        while written < 4 && Date() < deadline {
            usleep(100_000)
            if let data = FileManager.default.contents(atPath: json),
                let report = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            {
                written = tests(report).count
            }
        }
        XCTAssertGreaterThanOrEqual(written, 4, "results were not written as they came")
        process.interrupt()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 130)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        XCTAssertGreaterThanOrEqual(tests(report).count, written)
        XCTAssertEqual((report["keys"] as? [[String: Any]])?.first?["finished"] as? Bool, false)
    }

    func testHooksCycleThePowerAndTouchAndWithoutThemTheTestsSayNeedsPowerCycle() throws {
        let directory = try TestPaths.temporaryDirectory()
        // The control socket is not where the rig looks, so the rig cannot cycle or touch the key itself.
        let control = directory.appendingPathComponent("elsewhere.ctl").path
        let key = try VirtualKeyProcess(options: ["--control", control], directory: directory)
        let without = try rig(["--devices", key.deviceID, "--allow-reset", "--tags", "pin"], in: directory)
        XCTAssertEqual(without.result.status, 0, without.result.stderr)
        XCTAssertEqual(Set(ids(tests(without.report), "needs-power-cycle")), ["clientPin.blockAfterThree", "clientPin.blockAfterEight"])

        let log = directory.appendingPathComponent("hooks.log").path
        let send = { (command: String) in
            #"\#(TestPaths.peerPython) -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode()+b"\n"); s.recv(100)' \#(control) '\#(command)'"#
        }
        _ = try key.control(["cmd": "presence", "mode": "wait"])
        let with = try rig(
            [
                "--devices", key.deviceID, "--allow-reset", "--tags", "pin",
                "--power-hook", #"\#(send(#"{"cmd":"powerCycle"}"#)) && echo "power $KEYBRIDGE_RIG_DEVICE" >> \#(log)"#,
                "--presence-hook", #"\#(send(#"{"cmd":"touch"}"#)) && echo "touch $KEYBRIDGE_RIG_ACTION" >> \#(log)"#,
            ], in: directory)
        XCTAssertEqual(with.result.status, 0, with.result.stderr)
        let all = tests(with.report)
        XCTAssertEqual(ids(all, "failed") + ids(all, "error") + ids(all, "needs-power-cycle"), [], with.result.stderr)
        let lines = (try String(contentsOfFile: log, encoding: .utf8)).split(separator: "\n")
        XCTAssertEqual(lines.filter { $0 == "power \(key.deviceID)" }.count, 4, "one cycle for three wrong PINs, three for eight: \(lines)")
        XCTAssertTrue(lines.contains("touch touch"), "the presence hook touched the key: \(lines)")
    }

    func testUsageMistakesAreNamed() throws {
        let key = try VirtualKeyProcess()
        let noReset = try ProcessRunner.run(TestPaths.keybridge, ["rig", "run", "--devices", key.deviceID])
        XCTAssertEqual(noReset.status, 2)
        XCTAssertTrue(noReset.stderr.contains("--allow-reset"), noReset.stderr)
        let badTag = try ProcessRunner.run(TestPaths.keybridge, ["rig", "run", "--devices", key.deviceID, "--allow-reset", "--tags", "nonsense"])
        XCTAssertEqual(badTag.status, 2)
        XCTAssertTrue(badTag.stderr.contains("nonsense"), badTag.stderr)
        let noKey = try ProcessRunner.run(TestPaths.keybridge, ["rig", "run", "--devices", "vkey:/nonexistent.sock", "--suite", "latency"])
        XCTAssertEqual(noKey.status, 3, noKey.stderr)
        let list = try ProcessRunner.run(TestPaths.keybridge, ["rig", "list", "--json", "--tags", "u2f"])
        let entries = try XCTUnwrap(try JSONSerialization.jsonObject(with: list.stdoutData) as? [[String: Any]])
        XCTAssertEqual(entries.compactMap { $0["id"] as? String }.sorted(), ["u2f.registerAndAuthenticate", "u2f.version"])
    }
}
