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
