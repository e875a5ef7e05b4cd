import Foundation
import KeyBridgeAuthenticator
import KeyBridgeCBOR
import XCTest

/// The virtual key's state file: credentials, PIN and counters survive a restart; the file is
/// private to its owner.
final class StatePersistenceTests: XCTestCase {
    func testStateSurvivesRestartAndIsPrivate() throws {
        let path = NSTemporaryDirectory() + "kb-state-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = AuthenticatorConfiguration()
        configuration.stateFile = path
        let first = try VirtualAuthenticator(configuration: configuration)
        let request = CBOREncoder.encode([
            1: .bytes([UInt8](repeating: 1, count: 32)), 2: ["id": "example.com"],
            3: ["id": .bytes([1, 2, 3]), "name": "alice"], 4: [["alg": -7, "type": "public-key"]], 7: ["rk": true],
        ])
        let made = first.handleCTAP2([0x01] + request)
        XCTAssertEqual(made.first, 0x00)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)

        let second = try VirtualAuthenticator(configuration: configuration)
        XCTAssertEqual(second.attestationRootPEM, first.attestationRootPEM, "the attestation CA is kept")
        let assertion = second.handleCTAP2(
            [0x02] + CBOREncoder.encode([1: "example.com", 2: .bytes([UInt8](repeating: 2, count: 32))]))
        XCTAssertEqual(assertion.first, 0x00, "the discoverable credential survived the restart")
        let reply = try CBORDecoder().decode(Array(assertion.dropFirst()))
        let authData = try XCTUnwrap(reply[intKey: 2]?.bytesValue)
        XCTAssertEqual(authData[33..<37].reduce(0) { $0 << 8 | Int($1) }, 2, "the signature counter continues")
    }
}
