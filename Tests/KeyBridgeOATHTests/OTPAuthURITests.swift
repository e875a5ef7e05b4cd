import KeyBridgeYKOATH
import XCTest

final class OTPAuthURITests: XCTestCase {
    func testParsesAndWritesAKeyURI() throws {
        let uri = try OTPAuthURI(
            parsing: "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60")
        XCTAssertEqual(uri.kind, .totp)
        XCTAssertEqual(uri.issuer, "ACME Co")
        XCTAssertEqual(uri.account, "john.doe@email.com")
        XCTAssertEqual(uri.algorithm, .sha256)
        XCTAssertEqual(uri.digits, 8)
        XCTAssertEqual(uri.period, 60)
        XCTAssertEqual(Base32.encode(uri.secret), "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ")
        XCTAssertEqual(try OTPAuthURI(parsing: uri.uriString), uri, "writing and parsing again gives the same URI")

        let hotp = try OTPAuthURI(parsing: "otpauth://hotp/alice?secret=GEZDGNBVGY3TQOJQ&counter=42")
        XCTAssertEqual(hotp.counter, 42)
        XCTAssertNil(hotp.issuer)
    }

    func testMalformedURIsGiveClearErrors() {
        let cases: [(String, String)] = [
            ("https://example.com", "otpauth://"),
            ("otpauth://motp/alice?secret=GEZDGNBV", "totp or hotp"),
            ("otpauth://totp/?secret=GEZDGNBV", "label"),
            ("otpauth://totp/alice", "secret parameter"),
            ("otpauth://totp/alice?secret=not-base32!", "Base32"),
            ("otpauth://totp/alice?secret=GEZDGNBV&algorithm=MD5", "algorithm"),
            ("otpauth://totp/alice?secret=GEZDGNBV&digits=12", "digits"),
            ("otpauth://totp/alice?secret=GEZDGNBV&period=0", "period"),
            ("otpauth://hotp/alice?secret=GEZDGNBV", "counter"),
            ("otpauth://totp/A:alice?secret=GEZDGNBV&issuer=B", "differs"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try OTPAuthURI(parsing: text), text) { error in
                guard case .malformedURI(let detail) = error as? OATHError else { return XCTFail("\(error)") }
                XCTAssertTrue(detail.contains(expected), "\(text): \(detail)")
            }
        }
    }

    func testBase32RoundTrip() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(($0 * 37 + 11) & 0xFF) }
            XCTAssertEqual(Base32.decode(Base32.encode(bytes)), bytes)
        }
        XCTAssertEqual(Base32.decode("gezd gnbv"), Base32.decode("GEZDGNBV"), "case and spaces do not matter")
        XCTAssertNil(Base32.decode("1"), "1 is not in the Base32 alphabet")
    }
}
