import KeyBridgeAuthenticator
import KeyBridgeCBOR
import XCTest

/// authenticatorConfig's setMinPINLength on the virtual key's CTAP core (CTAP 2.1 §6.11.4): a
/// refused request changes nothing, and a key configured without the command says so.
final class ConfigCommandTests: XCTestCase {
    private func setMinPINLength(_ key: VirtualAuthenticator, _ params: [CBOR: CBOR]) -> UInt8? {
        key.handleCTAP2([0x0D] + CBOREncoder.encode([1: 3, 2: .map(params)])).first
    }

    private func info(_ key: VirtualAuthenticator) throws -> CBOR {
        let reply = key.handleCTAP2([0x04])
        XCTAssertEqual(reply.first, 0x00)
        return try CBORDecoder().decode(Array(reply.dropFirst()))
    }

    func testRefusedRequestsLeaveThePolicyAsItWas() throws {
        let key = try VirtualAuthenticator(configuration: AuthenticatorConfiguration())
        XCTAssertEqual(setMinPINLength(key, [1: 6, 3: true]), 0x35, "forceChangePin without a PIN: PIN_NOT_SET")
        XCTAssertEqual(try info(key)[intKey: 13]?.intValue, 4, "the refused request did not raise the minimum")
        XCTAssertEqual(setMinPINLength(key, [1: 6]), 0x00)
        XCTAssertEqual(setMinPINLength(key, [1: 5]), 0x37, "the minimum never falls")
        let tooMany: [CBOR] = ["a.example", "b.example", "c.example", "d.example", "e.example"]
        XCTAssertEqual(setMinPINLength(key, [1: 7, 2: .array(tooMany)]), 0x28, "more RP ids than getInfo allows")
        let after = try info(key)
        XCTAssertEqual(after[intKey: 13]?.intValue, 6)
        XCTAssertEqual(after[intKey: 12]?.boolValue, false)
        XCTAssertEqual(after[intKey: 16]?.intValue, 4)
        XCTAssertEqual(after[intKey: 4]?[textKey: "setMinPINLength"]?.boolValue, true)
    }

    func testKeyWithoutConfigAnswersInvalidCommand() throws {
        var configuration = AuthenticatorConfiguration()
        configuration.authenticatorConfig = false
        let key = try VirtualAuthenticator(configuration: configuration)
        XCTAssertEqual(setMinPINLength(key, [1: 6]), 0x01)
        let options = try XCTUnwrap(try info(key)[intKey: 4])
        XCTAssertNil(options[textKey: "authnrCfg"])
        XCTAssertNil(options[textKey: "setMinPINLength"])
        XCTAssertEqual(try info(key)[intKey: 13]?.intValue, 4)
    }
}
