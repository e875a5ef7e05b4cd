import Foundation
import X509
import XCTest

@testable import KeyBridgeMetadata

/// `MetadataBLOB.verify` against BLOBs signed in the test: root (P-256) → intermediate (P-256) → leaf.
final class MetadataBLOBTests: XCTestCase {
    /// 2030-03-17T17:46:40Z: inside the certificates' validity, before the payload's nextUpdate (2030-04-01).
    private let now = Date(timeIntervalSince1970: 1_900_000_000)

    private struct Chain {
        var root: TestPKI.Issued
        var intermediate: TestPKI.Issued
        var leaf: TestPKI.Issued
        var x5c: [[UInt8]]
    }

    private func chain(leafKey: TestKey) throws -> Chain {
        let root = try TestPKI.root("Test MDS Root")
        let intermediate = try TestPKI.issue("Test MDS CA", by: root, isCA: true)
        let leaf = try TestPKI.issue("Test MDS Signer", by: intermediate, isCA: false, key: leafKey)
        return Chain(root: root, intermediate: intermediate, leaf: leaf, x5c: [try leaf.der, try intermediate.der])
    }

    private func utcDay(_ year: Int, _ month: Int, _ day: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: year, month: month, day: day))!
    }

    /// The error `verify` throws, or a failure when it accepts.
    private func refusal(
        _ jwt: String, anchors: [Certificate], at time: Date? = nil, line: UInt = #line
    ) async -> MetadataError? {
        do {
            _ = try await MetadataBLOB.verify(jwt, trustAnchors: anchors, now: time ?? now)
            XCTFail("the BLOB was accepted", line: line)
            return nil
        } catch {
            return error
        }
    }

    func testAcceptsRS256BLOBChainingToTheRoot() async throws {
        let chain = try chain(leafKey: try .newRSA2048())
        let payload = TestJWT.samplePayload()
        let jwt = try TestJWT.sign(alg: "RS256", x5c: chain.x5c, payload: payload, key: chain.leaf.key)
        let (decoded, json) = try await MetadataBLOB.verify(jwt, trustAnchors: [chain.root.certificate], now: now)
        XCTAssertEqual(json, payload)
        XCTAssertEqual(decoded.serial, 42)
        XCTAssertEqual(decoded.legalHeader, "test")
        XCTAssertEqual(decoded.nextUpdate, utcDay(2030, 4, 1))
        XCTAssertEqual(decoded.entries.map(\.description), ["Test Key One", "Test Key Two"])
        let index = MetadataIndex(decoded)
        XCTAssertEqual(index.count, 2)
        XCTAssertEqual(index.entry(aaguid: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")?.compromise, "ATTESTATION_KEY_COMPROMISE")
        XCTAssertEqual(index.entry(aaguid: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")?.certificationLevel, .certified)
        XCTAssertEqual(index.entry(aaguid: "11111111-2222-3333-4444-555555555555")?.certificationLevel, .l1)
    }

    func testAcceptsES256AndPS256() async throws {
        let ecChain = try chain(leafKey: .newP256())
        let es = try TestJWT.sign(alg: "ES256", x5c: ecChain.x5c, payload: TestJWT.samplePayload(), key: ecChain.leaf.key)
        let ecResult = try await MetadataBLOB.verify(es, trustAnchors: [ecChain.root.certificate], now: now)
        XCTAssertEqual(ecResult.payload.entries.count, 2)

        let rsaChain = try chain(leafKey: try .newRSA2048())
        let ps = try TestJWT.sign(alg: "PS256", x5c: rsaChain.x5c, payload: TestJWT.samplePayload(), key: rsaChain.leaf.key)
        let psResult = try await MetadataBLOB.verify(ps, trustAnchors: [rsaChain.root.certificate], now: now)
        XCTAssertEqual(psResult.payload.serial, 42)
    }

    func testTamperedPayloadIsBadSignature() async throws {
        let chain = try chain(leafKey: .newP256())
        let jwt = try TestJWT.sign(alg: "ES256", x5c: chain.x5c, payload: TestJWT.samplePayload(), key: chain.leaf.key)
        var parts = jwt.split(separator: ".").map(String.init)
        parts[1] = TestJWT.base64url(TestJWT.samplePayload(serial: 43))
        let error = await refusal(parts.joined(separator: "."), anchors: [chain.root.certificate])
        guard case .badSignature = error else { return XCTFail("expected badSignature, got \(String(describing: error))") }
    }

    func testSignatureFromAnotherKeyIsBadSignature() async throws {
        let chain = try chain(leafKey: .newP256())
        let jwt = try TestJWT.sign(alg: "ES256", x5c: chain.x5c, payload: TestJWT.samplePayload(), key: .newP256())
        let error = await refusal(jwt, anchors: [chain.root.certificate])
        guard case .badSignature = error else { return XCTFail("expected badSignature, got \(String(describing: error))") }
    }

    func testChainToAnotherRootIsUntrusted() async throws {
        let chain = try chain(leafKey: .newP256())
        let otherRoot = try TestPKI.root("Test MDS Root")  // same name, different key
        let jwt = try TestJWT.sign(alg: "ES256", x5c: chain.x5c, payload: TestJWT.samplePayload(), key: chain.leaf.key)
        let error = await refusal(jwt, anchors: [otherRoot.certificate])
        guard case .untrustedChain = error else {
            return XCTFail("expected untrustedChain, got \(String(describing: error))")
        }
        let noAnchor = await refusal(jwt, anchors: [])
        guard case .untrustedChain = noAnchor else { return XCTFail("expected untrustedChain with no anchors") }
    }

    func testChainOutsideItsValidityIsUntrusted() async throws {
        let chain = try chain(leafKey: .newP256())
        let jwt = try TestJWT.sign(alg: "ES256", x5c: chain.x5c, payload: TestJWT.samplePayload(), key: chain.leaf.key)
        let error = await refusal(jwt, anchors: [chain.root.certificate], at: TestPKI.notAfter.addingTimeInterval(60))
        guard case .untrustedChain = error else {
            return XCTFail("expected untrustedChain, got \(String(describing: error))")
        }
    }

    func testNextUpdateIsValidThroughItsDayThenExpired() async throws {
        let chain = try chain(leafKey: .newP256())
        let jwt = try TestJWT.sign(alg: "ES256", x5c: chain.x5c, payload: TestJWT.samplePayload(), key: chain.leaf.key)
        let lastSecond = utcDay(2030, 4, 2).addingTimeInterval(-1)
        let stillValid = try await MetadataBLOB.verify(jwt, trustAnchors: [chain.root.certificate], now: lastSecond)
        XCTAssertEqual(stillValid.payload.serial, 42)
        let error = await refusal(jwt, anchors: [chain.root.certificate], at: utcDay(2030, 4, 2))
        XCTAssertEqual(error, .expired(nextUpdate: "2030-04-01"))
        XCTAssertTrue(error?.description.contains("2030-04-01") ?? false)
    }

    /// `alg: "none"` is refused as badSignature: an unsigned BLOB has no valid signature.
    func testAlgNoneAndUnknownAlgorithmsAreBadSignature() async throws {
        let chain = try chain(leafKey: .newP256())
        let unsigned = try TestJWT.signingInput(alg: "none", x5c: chain.x5c, payload: TestJWT.samplePayload()) + "."
        let none = await refusal(unsigned, anchors: [chain.root.certificate])
        guard case .badSignature = none else { return XCTFail("expected badSignature, got \(String(describing: none))") }

        let hmac = try TestJWT.signingInput(alg: "HS256", x5c: chain.x5c, payload: TestJWT.samplePayload()) + ".AAAA"
        let unknown = await refusal(hmac, anchors: [chain.root.certificate])
        guard case .badSignature = unknown else {
            return XCTFail("expected badSignature, got \(String(describing: unknown))")
        }
    }

    func testGarbageIsMalformed() async throws {
        let root = try TestPKI.root("Test MDS Root")
        let inputs = [
            "", "not a jwt", "a.b", "a.b.c.d", "!!!.###.$$$",
            TestJWT.base64url(Data("{}".utf8)) + ".e30.AAAA",  // header without alg or x5c
            TestJWT.base64url(Data(#"{"alg":"ES256","x5c":["not base64!"]}"#.utf8)) + ".e30.AAAA",
            TestJWT.base64url(Data(#"{"alg":"ES256","x5c":["AAAA"]}"#.utf8)) + ".e30.AAAA",  // not a certificate
        ]
        for input in inputs {
            let error = await refusal(input, anchors: [root.certificate])
            guard case .malformed = error else {
                XCTFail("\(input): expected malformed, got \(String(describing: error))")
                continue
            }
        }
    }

    func testSignedPayloadThatIsNotMDSIsMalformed() async throws {
        let chain = try chain(leafKey: .newP256())
        let jwt = try TestJWT.sign(alg: "ES256", x5c: chain.x5c, payload: Data(#"{"no": 1}"#.utf8), key: chain.leaf.key)
        let error = await refusal(jwt, anchors: [chain.root.certificate])
        guard case .malformed = error else { return XCTFail("expected malformed, got \(String(describing: error))") }
    }
}
