import Foundation
import KeyBridgeWebAuthn
import XCTest

/// base64url as RFC 4648 §5 defines it, checked against Foundation's base64 on every length.
final class Base64URLTests: XCTestCase {
    func testEncodingMatchesFoundationsBase64WithTheURLAlphabetAndNoPadding() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<100 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            XCTAssertEqual(Base64URL.encode(bytes), expected, "length \(length)")
            XCTAssertEqual(Base64URL.decode(expected), bytes, "length \(length)")
            XCTAssertEqual(Base64URL.decode(Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_")), bytes, "padded, length \(length)")
        }
    }

    func testTextOutsideTheAlphabetOrOfAnImpossibleLengthIsRefused() {
        XCTAssertNil(Base64URL.decode("ab+c"), "+ is base64, not base64url")
        XCTAssertNil(Base64URL.decode("ab/c"))
        XCTAssertNil(Base64URL.decode("ab c"))
        XCTAssertNil(Base64URL.decode("a=bc"), "padding only at the end")
        XCTAssertNil(Base64URL.decode("abcde"), "five characters encode no whole byte sequence")
        XCTAssertNil(Base64URL.decode("äbcd"))
        XCTAssertEqual(Base64URL.decode(""), [])
    }
}
