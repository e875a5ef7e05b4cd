import Foundation
import KeyBridgeFIDO
import KeyBridgePCSC
import XCTest

/// Faults on the contactless path end in typed errors within the timeout, never a hang, and
/// the next operation works.
final class NFCFaultTests: XCTestCase {
    func testCardRemovedInTheMiddleOfAChainedCommand() async throws {
        let card = try VirtualCardProcess(options: ["--no-extended-apdu"])
        let key = try await card.open()
        var request = Fixtures.registration(challenge: Fixtures.challenge())
        request.excludeCredentials = (0..<10).map { _ in (0..<64).map { _ in UInt8.random(in: 0...255) } }
        request.timeout = .seconds(3)
        try card.control(["cmd": "removeCard", "afterAPDUs": 2, "ms": 1500])
        let start = ContinuousClock.now
        do {
            _ = try await key.makeCredential(request)
            XCTFail("the card left the field during the command")
        } catch {
            guard case .transport(let detail) = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(detail.contains("left the reader") || detail.contains("No card"), detail)
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(3))
        await key.close()

        try? VirtualCardProcess.waitForCard(reader: card.reader, present: false, timeout: 3)
        try VirtualCardProcess.waitForCard(reader: card.reader, present: true, timeout: 10)
        let again = try await card.open()
        _ = try await again.makeCredential(Fixtures.registration(challenge: Fixtures.challenge()))
        await again.close()
    }

    func testTwoProcessesOnOneReader() async throws {
        let card = try VirtualCardProcess(options: ["--presence", "wait"])
        let holder = try await card.open()
        let holding = Flag()
        let waiting = Task {
            var request = Fixtures.registration(challenge: Fixtures.challenge())
            request.timeout = .seconds(20)
            return try await holder.makeCredential(request, onTouchNeeded: { holding.set() })
        }
        // The first session holds the card once the card asks for a touch.
        try await holding.wait(timeout: .seconds(10))
        // A second process while the first holds the card: a typed error within its timeout.
        let started = Date()
        let other = try ProcessRunner.run(
            TestPaths.keybridge, ["info", "--device", card.deviceID, "--json"],
            environment: ["KEYBRIDGE_VKEY_DIR": "/nonexistent"], timeout: 20)
        XCTAssertNotEqual(other.status, 0)
        XCTAssertTrue(other.stdout.contains("\"transport\"") || other.stdout.contains("sharing"), other.stdout)
        XCTAssertTrue(other.stdout.lowercased().contains("another program"), other.stdout)
        XCTAssertLessThan(Date().timeIntervalSince(started), 8)
        try card.control(["cmd": "touch"])
        _ = try await waiting.value
        await holder.close()

        let next = try ProcessRunner.run(
            TestPaths.keybridge, ["info", "--device", card.deviceID, "--json"],
            environment: ["KEYBRIDGE_VKEY_DIR": "/nonexistent"])
        XCTAssertEqual(next.status, 0, next.stdout + next.stderr)
    }

    func testPCSCDStoppedIsATypedErrorAndTheNextOperationWorksAfterRestart() async throws {
        let card = try VirtualCardProcess()
        let environment = TestPaths.packageRoot.appendingPathComponent("scripts/test-env").path
        _ = try ProcessRunner.run("/bin/bash", [environment, "stop"])
        defer { _ = try? ProcessRunner.run("/bin/bash", [environment, "start"]) }
        let stopped = try ProcessRunner.run(
            TestPaths.keybridge, ["info", "--device", card.deviceID, "--json"],
            environment: ["KEYBRIDGE_VKEY_DIR": "/nonexistent"], timeout: 20)
        XCTAssertEqual(stopped.status, 7, stopped.stdout)
        XCTAssertTrue(stopped.stdout.contains("pcscd is not running"), stopped.stdout)

        let restarted = try ProcessRunner.run("/bin/bash", [environment, "start"])
        XCTAssertEqual(restarted.status, 0, restarted.stdout + restarted.stderr)
        try VirtualCardProcess.waitForCard(reader: card.reader, present: true, timeout: 15)
        let key = try await card.open()
        let info = try await key.info()
        XCTAssertTrue(info.isFIDO2)
        await key.close()
    }
}
