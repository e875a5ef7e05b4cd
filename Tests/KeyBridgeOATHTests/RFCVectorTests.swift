import Foundation
import KeyBridgeYKOATH
import XCTest

/// RFC 4226 Appendix D and RFC 6238 Appendix B test vectors.
final class RFCVectorTests: XCTestCase {
    func testRFC4226AppendixDHOTPValues() {
        let secret = Array("12345678901234567890".utf8)
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489",
        ]
        for (counter, code) in expected.enumerated() {
            XCTAssertEqual(OTPGenerator.hotp(secret: secret, counter: UInt64(counter)), code, "counter \(counter)")
        }
    }

    func testRFC6238AppendixBTOTPValuesForAllThreeHashes() {
        let seeds: [OTPAlgorithm: [UInt8]] = [
            .sha1: Array("12345678901234567890".utf8),
            .sha256: Array("12345678901234567890123456789012".utf8),
            .sha512: Array("1234567890123456789012345678901234567890123456789012345678901234".utf8),
        ]
        let table: [(TimeInterval, String, String, String)] = [
            (59, "94287082", "46119246", "90693936"),
            (1_111_111_109, "07081804", "68084774", "25091201"),
            (1_111_111_111, "14050471", "67062674", "99943326"),
            (1_234_567_890, "89005924", "91819424", "93441116"),
            (2_000_000_000, "69279037", "90698825", "38618901"),
            (20_000_000_000, "65353130", "77737706", "47863826"),
        ]
        for (time, sha1, sha256, sha512) in table {
            let date = Date(timeIntervalSince1970: time)
            XCTAssertEqual(OTPGenerator.totp(secret: seeds[.sha1]!, time: date, digits: 8, algorithm: .sha1), sha1)
            XCTAssertEqual(OTPGenerator.totp(secret: seeds[.sha256]!, time: date, digits: 8, algorithm: .sha256), sha256)
            XCTAssertEqual(OTPGenerator.totp(secret: seeds[.sha512]!, time: date, digits: 8, algorithm: .sha512), sha512)
        }
    }

    func testVerificationWindowDriftAndReplay() {
        let secret = Array("12345678901234567890".utf8)
        let verifier = OTPVerifier(window: 1)
        let now = Date(timeIntervalSince1970: 1_234_567_890)
        let previous = OTPGenerator.totp(secret: secret, time: now.addingTimeInterval(-30))
        let match = verifier.verifyTOTP(previous, secret: secret, time: now)
        XCTAssertEqual(match?.drift, -1, "a code one step old is accepted with drift -1")
        XCTAssertNil(
            verifier.verifyTOTP(previous, secret: secret, time: now, lastUsedStep: match?.counter),
            "a used code is never accepted twice")
        let far = OTPGenerator.totp(secret: secret, time: now.addingTimeInterval(-120))
        XCTAssertNil(verifier.verifyTOTP(far, secret: secret, time: now), "outside the window")
        XCTAssertNotNil(verifier.verifyTOTP(far, secret: secret, time: now, drift: -4), "a known drift is followed")

        XCTAssertEqual(verifier.verifyHOTP("287082", secret: secret, nextCounter: 0)?.counter, 1)
        XCTAssertNil(verifier.verifyHOTP("359152", secret: secret, nextCounter: 5))
    }
}
