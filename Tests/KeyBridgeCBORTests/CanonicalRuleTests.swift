import KeyBridgeCBOR
import XCTest

/// The CTAP2 canonical rules the strict decoder enforces and the encoder follows.
final class CanonicalRuleTests: XCTestCase {
    func testMapKeysAreSortedByMajorTypeThenLengthThenBytes() {
        let map: CBOR = ["aaa": 1, "a": 2, -2: 3, "bb": 4, 3: 5, -1: 6, 1: 7, 24: 8]
        let encoded = CBOREncoder.encode(map)
        // 1, 3, 24, -1, -2, "a", "bb", "aaa"
        XCTAssertEqual(
            encoded,
            [0xA8, 0x01, 0x07, 0x03, 0x05, 0x18, 0x18, 0x08, 0x20, 0x06, 0x21, 0x03, 0x61, 0x61, 0x02,
             0x62, 0x62, 0x62, 0x04, 0x63, 0x61, 0x61, 0x61, 0x01])
    }

    func testStrictDecoderRejectsNonCanonicalInputWithSpecificErrors() {
        let strict = CBORDecoder(strict: true)
        XCTAssertThrowsError(try strict.decode([0x18, 0x05])) { XCTAssertEqual($0 as? CBORDecodingError, .nonMinimalEncoding(offset: 0)) }
        XCTAssertThrowsError(try strict.decode([0xA2, 0x02, 0x00, 0x01, 0x00])) {
            XCTAssertEqual($0 as? CBORDecodingError, .nonCanonicalMapOrder(offset: 3))
        }
        XCTAssertThrowsError(try strict.decode([0xA2, 0x01, 0x00, 0x01, 0x00])) {
            XCTAssertEqual($0 as? CBORDecodingError, .nonCanonicalMapOrder(offset: 3))
        }
        XCTAssertThrowsError(try strict.decode([0xBF, 0x01, 0x00, 0xFF])) {
            XCTAssertEqual($0 as? CBORDecodingError, .unsupported(offset: 0, initialByte: 0xBF))
        }
        XCTAssertThrowsError(try strict.decode([0xFB, 0, 0, 0, 0, 0, 0, 0, 0])) {
            XCTAssertEqual($0 as? CBORDecodingError, .unsupported(offset: 0, initialByte: 0xFB))
        }
        XCTAssertThrowsError(try strict.decode([0x01, 0x02])) { XCTAssertEqual($0 as? CBORDecodingError, .trailingBytes(count: 1)) }
        XCTAssertThrowsError(try strict.decode([0x62, 0xC3, 0x28])) { XCTAssertEqual($0 as? CBORDecodingError, .invalidUTF8(offset: 0)) }
        let deep = [UInt8](repeating: 0x81, count: 40) + [0x00]
        XCTAssertThrowsError(try strict.decode(deep)) { XCTAssertEqual($0 as? CBORDecodingError, .nestingTooDeep) }
        XCTAssertNoThrow(try CBORDecoder(strict: false).decode([0xA2, 0x02, 0x00, 0x01, 0x00]), "lenient mode accepts unsorted maps")
    }

    func testTruncationAtEveryCutPointIsReported() {
        let full = CBOREncoder.encode(["fmt": "packed", "authData": .bytes([1, 2, 3, 4]), "n": 70000, "list": [1, 2, 3]])
        for cut in 0..<full.count {
            XCTAssertThrowsError(try CBORDecoder().decode(Array(full.prefix(cut))), "cut at \(cut)") { error in
                XCTAssertEqual(error as? CBORDecodingError, .truncated, "cut at \(cut)")
            }
        }
    }

    func testRawMapValuesAndRawWriterAgreeWithTheEncoder() throws {
        let statement: CBOR = ["alg": -7, "sig": .bytes([9, 9])]
        var writer = CBORRawMapWriter()
        writer.add("fmt", "packed")
        writer.add("attStmt", rawValue: CBOREncoder.encode(statement))
        writer.add("authData", .bytes([1, 2]))
        let written = writer.encode()
        XCTAssertEqual(written, CBOREncoder.encode(["fmt": "packed", "attStmt": statement, "authData": .bytes([1, 2])]))
        let raw = try CBORDecoder().rawMapValues(written)
        XCTAssertEqual(raw[.text("attStmt")], CBOREncoder.encode(statement))
    }
}
