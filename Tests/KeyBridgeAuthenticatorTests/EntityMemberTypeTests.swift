import KeyBridgeAuthenticator
import KeyBridgeCBOR
import XCTest

/// makeCredential's rp and user members on the virtual key's CTAP core (CTAP 2.1 §6.1.2): a member
/// that is there with the wrong type is CTAP2_ERR_CBOR_UNEXPECTED_TYPE, a missing one
/// CTAP2_ERR_MISSING_PARAMETER (a deviation `keybridge rig` found: it answered "missing" for both).
final class EntityMemberTypeTests: XCTestCase {
    private func makeCredential(rp: CBOR, user: CBOR) throws -> UInt8? {
        let key = try VirtualAuthenticator(configuration: AuthenticatorConfiguration())
        let request: CBOR = [1: .bytes([UInt8](repeating: 1, count: 32)), 2: rp, 3: user, 4: [["type": "public-key", "alg": -7]]]
        return key.handleCTAP2([0x01] + CBOREncoder.encode(request)).first
    }

    func testWronglyTypedMembersAreUnexpectedTypeAndMissingOnesAreMissing() throws {
        let rp: CBOR = ["id": "example.test", "name": "Example"]
        let user: CBOR = ["id": .bytes([1, 2, 3]), "name": "a", "displayName": "A"]
        XCTAssertEqual(try makeCredential(rp: rp, user: user), 0x00)
        XCTAssertEqual(try makeCredential(rp: rp, user: ["id": "text", "name": "a"]), 0x11, "user.id as text")
        XCTAssertEqual(try makeCredential(rp: ["id": .bytes([1])], user: user), 0x11, "rp.id as bytes")
        XCTAssertEqual(try makeCredential(rp: ["id": "example.test", "name": 5], user: user), 0x11, "rp.name as a number")
        XCTAssertEqual(try makeCredential(rp: rp, user: ["id": .bytes([1]), "displayName": .bytes([1])]), 0x11, "user.displayName as bytes")
        XCTAssertEqual(try makeCredential(rp: rp, user: ["name": "a"]), 0x14, "no user.id")
        XCTAssertEqual(try makeCredential(rp: ["name": "Example"], user: user), 0x14, "no rp.id")
    }
}
