import Foundation
import X509
import XCTest

@testable import KeyBridgeMetadata

/// `MetadataEntry.trusts(x5c:at:)` with certificates made in the test.
final class MetadataTrustTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_900_000_000)

    private func entry(roots: [[UInt8]]) -> MetadataEntry {
        MetadataEntry(
            aaguid: "11111111-2222-3333-4444-555555555555", description: "Test Key",
            attestationRootCertificates: roots, statusReports: [], json: Data("{}".utf8))
    }

    func testLeafSignedByTheEntrysRootIsTrusted() async throws {
        let root = try TestPKI.root("Vendor Attestation Root")
        let leaf = try TestPKI.issue("Vendor Batch 1", by: root, isCA: false)
        let entry = entry(roots: [try TestPKI.root("Unrelated Root").der, try root.der])
        let trusted = await entry.trusts(x5c: [try leaf.der], at: now)
        XCTAssertTrue(trusted)
    }

    func testLeafThroughAnIntermediateIsTrusted() async throws {
        let root = try TestPKI.root("Vendor Attestation Root")
        let intermediate = try TestPKI.issue("Vendor Intermediate", by: root, isCA: true)
        let leaf = try TestPKI.issue("Vendor Batch 2", by: intermediate, isCA: false)
        let entry = entry(roots: [try root.der])
        let withIntermediate = await entry.trusts(x5c: [try leaf.der, try intermediate.der], at: now)
        XCTAssertTrue(withIntermediate)
        let withoutIntermediate = await entry.trusts(x5c: [try leaf.der], at: now)
        XCTAssertFalse(withoutIntermediate)
    }

    func testLeafSignedByAnotherRootIsNotTrusted() async throws {
        let root = try TestPKI.root("Vendor Attestation Root")
        let otherRoot = try TestPKI.root("Vendor Attestation Root")  // same name, other key
        let leaf = try TestPKI.issue("Vendor Batch 1", by: otherRoot, isCA: false)
        let trusted = await entry(roots: [try root.der]).trusts(x5c: [try leaf.der], at: now)
        XCTAssertFalse(trusted)
    }

    func testExpiredLeafEmptyChainAndNoRootsAreNotTrusted() async throws {
        let root = try TestPKI.root("Vendor Attestation Root")
        let leaf = try TestPKI.issue("Vendor Batch 1", by: root, isCA: false)
        let entry = entry(roots: [try root.der])
        let expired = await entry.trusts(x5c: [try leaf.der], at: TestPKI.notAfter.addingTimeInterval(60))
        XCTAssertFalse(expired)
        let empty = await entry.trusts(x5c: [], at: now)
        XCTAssertFalse(empty)
        let noRoots = await self.entry(roots: []).trusts(x5c: [try leaf.der], at: now)
        XCTAssertFalse(noRoots)
    }
}
