import Foundation
import KeyBridgeYKOATH
import KeyBridgePCSC
import KeyBridgeVirtualCard
import XCTest

/// The YKOATH client against keybridge's virtual OATH applet, in process.
final class YKOATHSessionTests: XCTestCase {
    final class InProcessCard: APDUTransmitting, @unchecked Sendable {
        let dispatcher: CardDispatcher
        init(_ applet: VirtualOATHApplet) { dispatcher = CardDispatcher(applets: [applet]) }
        func transmit(_ apdu: [UInt8]) throws(PCSCError) -> [UInt8] { dispatcher.handle(apdu) }
    }

    let secret = Array("12345678901234567890".utf8)

    func testPutListCalculateRenameDelete() throws {
        let applet = VirtualOATHApplet()
        let session = try OATHSession(card: InProcessCard(applet))
        XCTAssertEqual(session.version, [5, 4, 3])
        XCTAssertFalse(session.isLocked)
        try session.put(OTPAuthURI(kind: .totp, issuer: "Example", account: "alice", secret: secret, digits: 8))
        try session.put(OTPAuthURI(kind: .totp, issuer: nil, account: "sixty", secret: secret, period: 60))
        try session.put(OTPAuthURI(kind: .hotp, issuer: "Bank", account: "bob", secret: secret, counter: 0))
        try session.put(
            OTPAuthURI(kind: .totp, issuer: "Vault", account: "carol", secret: secret, algorithm: .sha512), touchRequired: true)
        let names = try session.list().map(\.name)
        XCTAssertEqual(names, ["Example:alice", "60/sixty", "Bank:bob", "Vault:carol"])

        let time = Date(timeIntervalSince1970: 59)
        let alice = try session.list()[0]
        XCTAssertEqual(try session.calculate(alice, at: time), "94287082", "RFC 6238 vector through the card")

        let all = try session.calculateAll(at: time)
        XCTAssertEqual(all.count, 4)
        XCTAssertEqual(all[0].1, .value("94287082"))
        XCTAssertEqual(all[1].1, .value(OTPGenerator.totp(secret: secret, time: time, period: 60)), "period 60 recomputed")
        XCTAssertEqual(all[2].1, .hotpNotComputed, "HOTP is reported, not silently computed")
        XCTAssertEqual(all[3].1, .touchRequired, "touch accounts are reported, not computed")

        let bob = try session.list()[2]
        XCTAssertEqual(try session.calculate(bob), "755224")
        XCTAssertEqual(try session.calculate(bob), "287082", "the card advances the HOTP counter")

        try session.rename(name: "Example:alice", to: "Example:alice2")
        XCTAssertTrue(try session.list().contains { $0.name == "Example:alice2" })
        try session.delete(name: "Example:alice2")
        XCTAssertThrowsError(try session.delete(name: "Example:alice2")) { error in
            XCTAssertEqual(error as? OATHError, .noSuchCredential("Example:alice2"))
        }
    }

    func testPasswordProtectedAppletRefusesWrongPasswordAndAcceptsTheRightOne() throws {
        let applet = VirtualOATHApplet()
        let card = InProcessCard(applet)
        let session = try OATHSession(card: card)
        try session.put(OTPAuthURI(kind: .totp, issuer: nil, account: "alice", secret: secret))
        try session.setPassword("correct horse")

        let locked = try OATHSession(card: card)
        XCTAssertTrue(locked.isLocked)
        XCTAssertThrowsError(try locked.list()) { XCTAssertEqual($0 as? OATHError, .authenticationRequired) }
        XCTAssertThrowsError(try locked.unlock(password: "wrong")) { XCTAssertEqual($0 as? OATHError, .wrongPassword) }

        let retry = try OATHSession(card: card)
        try retry.unlock(password: "correct horse")
        XCTAssertEqual(try retry.list().map(\.name), ["alice"])
        try retry.clearPassword()
        XCTAssertFalse(try OATHSession(card: card).isLocked)
    }

    func testKeyDerivationMatchesKnownVectors() throws {
        let session = try OATHSession(card: InProcessCard(VirtualOATHApplet()))
        // PBKDF2-HMAC-SHA1, 1000 rounds, 16 bytes (vectors from the YKOATH protocol's reference tests).
        XCTAssertEqual(hex(session.deriveKey(password: "foobar", salt: [0, 0, 0, 0, 0, 0, 0, 0])), "b07da1e7de87f89a87a2b598eaa2188c")
        XCTAssertEqual(
            hex(session.deriveKey(password: "Hallå världen!", salt: Array("12345678".utf8))), "da818e6b2cf0a2d0bf19b3ddd34b83f5")
    }

    func testLongListNeedsSendRemaining() throws {
        let session = try OATHSession(card: InProcessCard(VirtualOATHApplet()))
        for index in 0..<40 {
            try session.put(OTPAuthURI(kind: .totp, issuer: "Issuer\(index)", account: "account-number-\(index)", secret: secret))
        }
        XCTAssertEqual(try session.list().count, 40, "more than 256 bytes of names come back through SEND REMAINING")
        XCTAssertEqual(try session.calculateAll().count, 40)
    }

    func testMalformedRepliesAreTypedErrors() throws {
        let applet = VirtualOATHApplet()
        let session = try OATHSession(card: InProcessCard(applet))
        applet.malformNextReplyOnce()
        XCTAssertThrowsError(try session.list()) { error in
            guard case .malformedResponse = error as? OATHError else { return XCTFail("got \(error)") }
        }
        XCTAssertNoThrow(try session.list(), "the next command works")
    }

    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
