import Foundation
import Testing

@testable import KeyBridgeEnrollment

/// The kiosk's receipt files: no random PIN unless the admin asks (then owner-only files), and no
/// cell a spreadsheet would run as a formula.
@Suite("Kiosk receipts")
struct ReceiptLogTests {
    private func receipt(upn: String = "dana@contoso.com", serial: String? = "KB-1", pin: String? = nil) -> EnrollmentReceipt {
        EnrollmentReceipt(
            time: Date(timeIntervalSince1970: 1_800_000_000), upn: upn, tenant: "contoso", keyModel: "Key", aaguid: "f1d0",
            serialNumber: serial, credentialID: "AAAA", kiosk: "hr-kiosk-1", operatorUPN: "hr@contoso.com", pin: pin)
    }

    private func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kb-receipts-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? -1) & 0o777
    }

    @Test("A random PIN is recorded as issued, not written, by default; files are 0640")
    func aRandomPINIsNotWrittenByDefault() throws {
        let log = ReceiptLog(folder: try folder())
        try log.append(receipt(pin: "48213977"))
        let csv = try String(contentsOfFile: log.csvPath, encoding: .utf8)
        let json = try String(contentsOfFile: log.jsonPath, encoding: .utf8)
        #expect(!csv.contains("48213977") && !json.contains("48213977"))
        #expect(csv.hasSuffix(",issued\n"))
        #expect(json.contains("\"pinIssued\":true"))
        #expect(try mode(log.csvPath) == 0o640 && mode(log.jsonPath) == 0o640)
    }

    @Test("Asked for, the PIN is written and both files become 0600, also files made before")
    func recordedPINsMakeTheFilesOwnerOnly() throws {
        let folder = try folder()
        try ReceiptLog(folder: folder).append(receipt())
        let log = ReceiptLog(folder: folder, recordsPINs: true)
        try log.append(receipt(upn: "fox@contoso.com", pin: "48213977"))
        #expect(try String(contentsOfFile: log.csvPath, encoding: .utf8).contains(",48213977\n"))
        #expect(try mode(log.csvPath) == 0o600 && mode(log.jsonPath) == 0o600)
    }

    @Test("A credential id starting with - is written as it is (base64url cannot spell a call)")
    func credentialIDsAreKeptWhole() throws {
        let log = ReceiptLog(folder: try folder())
        var entry = receipt()
        entry.credentialID = "-PLXLPgZUP2935LYoclQ"
        try log.append(entry)
        #expect(try String(contentsOfFile: log.csvPath, encoding: .utf8).contains(",-PLXLPgZUP2935LYoclQ,"))
    }

    @Test("Cells starting with = + - @ tab or CR are written as text", arguments: ["=HYPERLINK(\"x\")", "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"])
    func formulaCellsAreEscaped(value: String) throws {
        let log = ReceiptLog(folder: try folder())
        try log.append(receipt(serial: value))
        let line = try String(contentsOfFile: log.csvPath, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)[1]
        let serialCell = EnrollmentReceipt.csvField(value)
        #expect(serialCell.hasPrefix("'") || serialCell.hasPrefix("\"'"), "the cell starts with a quote mark: \(serialCell)")
        #expect(line.contains(serialCell))
        #expect(!line.contains("," + value + ","), "never the raw value as a cell")
    }
}
