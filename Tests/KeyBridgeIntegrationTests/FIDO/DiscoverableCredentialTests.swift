import Foundation
import KeyBridgeFIDO
import XCTest

/// Discoverable credentials listed and deleted through credential management (libfido2 sends
/// command 0x41), and wiped by reset.
final class DiscoverableCredentialTests: XCTestCase {
    let pin = "4821"

    func testListDeleteAndResetDiscoverableCredentials() async throws {
        let vkey = try VirtualKeyProcess()
        let key = try await vkey.open()
        try await key.setPIN(pin)
        var made: [String: String] = [:]
        for (user, rp) in [("alice", "example.com"), ("bob", "example.com"), ("carol", "other.example")] {
            let registration = try await key.makeCredential(
                Fixtures.registration(user: user, residentKey: true, challenge: Fixtures.challenge(), pin: pin, rpID: rp))
            made[user] = registration.id
        }
        let storage = try await key.credentialStorage(pin: pin)
        XCTAssertEqual(storage.existing, 3)
        let parties = try await key.relyingParties(pin: pin)
        XCTAssertEqual(Set(parties.map(\.id)), ["example.com", "other.example"])
        let all = try await key.discoverableCredentials(pin: pin)
        XCTAssertEqual(Set(all.map(\.credentialId)), Set(made.values))
        XCTAssertEqual(all.first { $0.credentialId == made["bob"] }?.userName, "bob")

        // Discoverable sign-in returns every credential of the RP.
        let assertions = try await key.getAssertion(Fixtures.signIn(credential: nil, challenge: Fixtures.challenge(), pin: pin))
        XCTAssertEqual(Set(assertions.map(\.id)), [made["alice"]!, made["bob"]!])
        XCTAssertTrue(assertions.allSatisfy { $0.response.userHandle != nil })

        try await key.deleteCredential(id: Base64URL.decode(made["alice"]!)!, pin: pin)
        let remaining = try await key.discoverableCredentials(rpID: "example.com", pin: pin)
        XCTAssertEqual(remaining.map(\.credentialId), [made["bob"]!])

        try await key.updateUser(
            credentialID: Base64URL.decode(made["bob"]!)!,
            user: UserEntity(id: Base64URL.decode(remaining[0].userId)!, name: "robert", displayName: "Robert"), pin: pin)
        let renamed = try await key.discoverableCredentials(rpID: "example.com", pin: pin)
        XCTAssertEqual(renamed.first?.userName, "robert")

        try await key.reset()
        let info = try await key.info()
        XCTAssertEqual(info.options["clientPin"], false, "reset removes the PIN")
        do {
            _ = try await key.getAssertion(Fixtures.signIn(credential: nil, challenge: Fixtures.challenge()))
            XCTFail("reset must wipe every credential")
        } catch {
            XCTAssertEqual(error, .noCredentials)
        }
        await key.close()
    }

    func testKeyStoreFull() async throws {
        let vkey = try VirtualKeyProcess(options: ["--rk-capacity", "2"])
        let key = try await vkey.open()
        for user in ["a", "b"] {
            _ = try await key.makeCredential(Fixtures.registration(user: user, residentKey: true, challenge: Fixtures.challenge()))
        }
        do {
            _ = try await key.makeCredential(Fixtures.registration(user: "c", residentKey: true, challenge: Fixtures.challenge()))
            XCTFail("a third discoverable credential must not fit")
        } catch {
            XCTAssertEqual(error, .keyStoreFull)
        }
        await key.close()
    }
}
