import Crypto
import Foundation
import KeyBridgeCBOR
@testable import KeyBridgeEnrollment
import XCTest
import _CryptoExtras

/// The pam_u2f authfile codec: key forms per algorithm, the line format, parsing and merging.
final class PamU2FAuthfileTests: XCTestCase {
    func testES256KeysBecomeTheRawPoint() throws {
        let key = P256.Signing.PrivateKey().publicKey
        let raw = Array(key.rawRepresentation)  // X‖Y
        let cose = CBOREncoder.encode([1: 2, 3: -7, -1: 1, -2: .bytes(Array(raw.prefix(32))), -3: .bytes(Array(raw.suffix(32)))])
        let credential = try PamU2FAuthfile.credential(cose: cose, credentialID: [1, 2, 3], options: "+presence")
        XCTAssertEqual(credential.publicKey, raw)
        XCTAssertEqual(credential.coseType, "es256")
    }

    func testRS256KeysBecomeModulusAndExponentAndOnly2048BitKeysAreTaken() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey
        let (modulus, exponent) = try Self.rsaComponents(Array(key.derRepresentation))
        let cose = CBOREncoder.encode([1: 3, 3: -257, -1: .bytes(modulus), -2: .bytes(exponent)])
        let credential = try PamU2FAuthfile.credential(cose: cose, credentialID: nil, options: "+presence+pin")
        XCTAssertEqual(credential.publicKey.count, 259)
        XCTAssertEqual(Array(credential.publicKey.suffix(3)), [0x01, 0x00, 0x01])
        XCTAssertEqual(Array(credential.publicKey.prefix(256)), Array(modulus.drop { $0 == 0 }))

        let small = CBOREncoder.encode([1: 3, 3: -257, -1: .bytes(Array(repeating: 0xC3, count: 128)), -2: .bytes([1, 0, 1])])
        XCTAssertThrowsError(try PamU2FAuthfile.credential(cose: small, credentialID: nil, options: "")) {
            XCTAssertEqual($0 as? PamU2FAuthfile.Failure, .unsupportedKey("pam_u2f takes 2048-bit RSA keys only"))
        }
        let edwards = CBOREncoder.encode([1: 1, 3: -8, -1: 6, -2: .bytes(Array(repeating: 9, count: 32))])
        XCTAssertThrowsError(try PamU2FAuthfile.credential(cose: edwards, credentialID: nil, options: "")) {
            XCTAssertEqual($0 as? PamU2FAuthfile.Failure, .unsupportedKey("COSE algorithm -8 (pam_u2f 1.1 takes es256 and rs256)"))
        }
    }

    func testLinesRoundTripAndBadLinesAreNamed() throws {
        let credentials = [
            PamU2FCredential(keyHandle: [0xFB, 0xFF, 0x01], publicKey: Array(repeating: 4, count: 64), coseType: "es256", options: "+presence"),
            PamU2FCredential(keyHandle: nil, publicKey: Array(repeating: 5, count: 64), coseType: "es256", options: ""),
        ]
        let line = try PamU2FAuthfile.line(login: "alice", credentials: credentials)
        XCTAssertTrue(line.hasPrefix("alice:+/8B,"), "standard base64 with padding, not base64url: \(line)")
        XCTAssertTrue(line.contains(":*,"), "a handle-less credential is pam_u2f's *")
        let parsed = try PamU2FAuthfile.parse(line)
        XCTAssertEqual(parsed.login, "alice")
        XCTAssertEqual(parsed.credentials, credentials)
        XCTAssertThrowsError(try PamU2FAuthfile.line(login: "al ice", credentials: credentials)) {
            XCTAssertEqual($0 as? PamU2FAuthfile.Failure, .invalidLogin("al ice"))
        }
        XCTAssertThrowsError(try PamU2FAuthfile.parse("alice:AAAA,BBBB,es256")) {
            XCTAssertEqual($0 as? PamU2FAuthfile.Failure, .malformedLine("credential 1 has 3 fields, not 4"))
        }
        XCTAssertThrowsError(try PamU2FAuthfile.parse("alice:AAAA,BBBB,eddsa,+presence")) {
            guard case .malformedLine(let message) = $0 as? PamU2FAuthfile.Failure else { return XCTFail("\($0)") }
            XCTAssertTrue(message.contains("eddsa"), message)
        }
    }

    func testMergingReplacesOnlyThatLoginsLine() {
        let existing = "bob:*,AAAA,es256,+presence\nalice:old\ncarol:*,BBBB,es256,\n"
        XCTAssertEqual(
            PamU2FAuthfile.merge("alice:new", into: existing), "bob:*,AAAA,es256,+presence\ncarol:*,BBBB,es256,\nalice:new\n")
        XCTAssertEqual(PamU2FAuthfile.merge("alice:new", into: ""), "alice:new\n")
        XCTAssertEqual(PamU2FAuthfile.merge("al:new", into: "alice:old\n"), "alice:old\nal:new\n", "a prefix of a login is another login")
    }

    /// Modulus and exponent of a DER SubjectPublicKeyInfo RSA key (two INTEGERs at the end).
    static func rsaComponents(_ der: [UInt8]) throws -> ([UInt8], [UInt8]) {
        // SPKI → BIT STRING → SEQUENCE { INTEGER n, INTEGER e }: read the last two INTEGERs.
        var integers: [[UInt8]] = []
        var index = 0
        while index < der.count {
            if der[index] == 0x02 {
                var length = Int(der[index + 1])
                var start = index + 2
                if length & 0x80 != 0 {
                    let count = length & 0x7F
                    length = der[(index + 2)..<(index + 2 + count)].reduce(0) { $0 << 8 | Int($1) }
                    start += count
                }
                integers.append(Array(der[start..<(start + length)]))
                index = start + length
            } else {
                index += 1
            }
        }
        guard integers.count >= 2 else { throw CocoaError(.coderReadCorrupt) }
        return (integers[integers.count - 2], integers[integers.count - 1])
    }
}
