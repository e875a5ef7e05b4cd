import Foundation
import XCTest

/// `keybridge devices --watch --json` streams keys as they come and go: a contactless card
/// tapped and removed (PC/SC events) and a virtual key started.
final class DeviceWatchTests: XCTestCase {
    func testWatchReportsCardsAndVirtualKeysComingAndGoing() throws {
        let directory = try TestPaths.temporaryDirectory()
        // A key already there when the watch starts: its "present" line says the watch is running.
        let early = try VirtualKeyProcess(directory: directory, name: "early.sock")
        let watch = try StreamingProcess(
            TestPaths.keybridge, ["devices", "--watch", "--json"], environment: ["KEYBRIDGE_VKEY_DIR": directory.path])
        defer { watch.stop() }
        XCTAssertNotNil(
            watch.waitForLine(timeout: 10) { $0.contains("\"present\"") && $0.contains(early.deviceID) },
            "the key present at the start is reported: \(watch.allLines)")

        let card = try VirtualCardProcess()
        let added = watch.waitForLine(timeout: 10) { $0.contains("\"added\"") && $0.contains(card.deviceID) }
        XCTAssertNotNil(added, "no added event for the card: \(watch.allLines)")
        if let added, let object = try JSONSerialization.jsonObject(with: Data(added.utf8)) as? [String: Any] {
            let device = object["device"] as? [String: Any]
            XCTAssertEqual(device?["transport"] as? String, "nfc")
            XCTAssertNotNil(object["time"] as? String)
        }

        let vkey = try VirtualKeyProcess(directory: directory)
        XCTAssertNotNil(
            watch.waitForLine(timeout: 10) { $0.contains("\"added\"") && $0.contains(vkey.deviceID) },
            "no added event for the virtual key: \(watch.allLines)")

        card.stop()
        XCTAssertNotNil(
            watch.waitForLine(timeout: 10) { $0.contains("\"removed\"") && $0.contains(card.deviceID) },
            "no removed event for the card: \(watch.allLines)")
        vkey.stop()
        XCTAssertNotNil(
            watch.waitForLine(timeout: 10) { $0.contains("\"removed\"") && $0.contains(vkey.deviceID) },
            "no removed event for the virtual key: \(watch.allLines)")
    }
}
