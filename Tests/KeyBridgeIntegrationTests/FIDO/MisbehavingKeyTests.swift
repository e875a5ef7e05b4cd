import Foundation
import KeyBridgeFIDO
import XCTest

/// A key that sends garbage, answers on the wrong channel, truncated or non-canonical CBOR, or
/// drops the socket mid-message must give a typed transport error within the timeout, never a
/// crash or a hang, and the next operation must work.
final class MisbehavingKeyTests: XCTestCase {
    func testEveryFaultEndsInATypedErrorWithinTheTimeout() async throws {
        let vkey = try VirtualKeyProcess()
        for fault in ["garbage", "wrongChannel", "truncatedCBOR", "nonCanonicalCBOR", "closeMidMessage"] {
            let key = try await vkey.open()
            try vkey.control(["cmd": "fault", "kind": fault])
            var request = Fixtures.registration(challenge: Fixtures.challenge())
            request.timeout = .seconds(2)
            let start = ContinuousClock.now
            do {
                _ = try await key.makeCredential(request)
                XCTFail("\(fault): a corrupted reply must not pass")
            } catch {
                switch (fault, error) {
                case ("garbage", .transport(let message)), ("wrongChannel", .transport(let message)):
                    // A broken report is named as a protocol error at once, not waited out as a missing touch.
                    XCTAssertTrue(message.contains("protocol error"), "\(fault): \(message)")
                    XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(1000), "\(fault): named promptly")
                case ("garbage", _), ("wrongChannel", _): XCTFail("\(fault): expected a protocol error, got \(error)")
                case (_, .transport), (_, .userActionTimeout): break
                default: XCTFail("\(fault): expected a transport error, got \(error)")
                }
            }
            XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(2500), fault)
            await key.close()

            let fresh = try await vkey.open()
            let info = try await fresh.info()
            XCTAssertTrue(info.isFIDO2, "\(fault): the next operation works")
            await fresh.close()
        }
    }

    /// libfido2 reads getInfo while opening a key; a reply it cannot read used to make it treat the
    /// key as U2F-only, so a key with a PIN looked PIN-less and registration failed later with
    /// "no new PIN". Now opening fails at once with the protocol error named.
    func testABrokenReplyWhileOpeningIsAProtocolErrorNotAU2FOnlyKey() async throws {
        let vkey = try VirtualKeyProcess()
        let setup = try await vkey.open()
        try await setup.setPIN("246810")
        await setup.close()
        let expected = [
            "garbage": "protocol error", "wrongChannel": "protocol error", "truncatedCBOR": "protocol error",
            "nonCanonicalCBOR": "protocol error", "closeMidMessage": "closed the connection",
        ]
        for (fault, phrase) in expected.sorted(by: { $0.key < $1.key }) {
            try vkey.control(["cmd": "fault", "kind": fault])
            let start = ContinuousClock.now
            do {
                let key = try await SecurityKey.open(vkey.descriptor)
                let info = try await key.info()
                await key.close()
                XCTFail("\(fault): the key opened as \(info.isFIDO2 ? "FIDO2" : "U2F-only") with clientPin=\(info.hasPIN)")
            } catch {
                guard case .transport(let message) = error else { return XCTFail("\(fault): expected a transport error, got \(error)") }
                XCTAssertTrue(message.contains(phrase), "\(fault): \(message)")
                XCTAssertLessThan(ContinuousClock.now - start, .milliseconds(1000), "\(fault): named promptly")
            }
            let fresh = try await vkey.open()
            let info = try await fresh.info()
            XCTAssertTrue(info.isFIDO2 && info.hasPIN, "\(fault): the next opening sees the key as it is")
            await fresh.close()
        }
    }

    func testAKeyThatIsGoneIsDeviceNotFound() async throws {
        let vkey = try VirtualKeyProcess()
        vkey.stop()
        do {
            _ = try await SecurityKey.open(vkey.descriptor)
            XCTFail("nothing listens any more")
        } catch {
            guard case .deviceNotFound = error else { return XCTFail("got \(error)") }
        }
    }
}
