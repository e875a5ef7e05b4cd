import Foundation
import XCTest

/// python-fido2 (PyPI `fido2` + `pyscard`), an independent client, registers and signs in with
/// keybridge's virtual card through pcscd; its Fido2Server verifies both.
final class PythonFido2InteropTests: XCTestCase {
    func testPythonFido2RegistersAndSignsInWithTheVirtualCard() throws {
        let card = try VirtualCardProcess()
        let script = TestPaths.packageRoot.appendingPathComponent("scripts/peers/fido2_pcsc_client.py").path
        let result = try ProcessRunner.run(TestPaths.peerPython, [script, "roundtrip", card.reader], timeout: 60)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let reply = try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any]
        XCTAssertEqual(reply?["ok"] as? Bool, true, result.stdout)
        XCTAssertEqual(reply?["aaguid"] as? String, "f1d0f1d0-6b65-7962-7269-646765000001")
    }
}
