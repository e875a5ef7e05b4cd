import Foundation
import KeyBridgeRegistration
import XCTest

/// A directory's key file seals its secrets: with the file moved away, no command makes a new one
/// (that would seal new secrets under a key the old ones do not open) — every command refuses,
/// naming the file, until it is back. Only the first `tenant add` on an empty directory makes one.
final class MissingKeyFileTests: XCTestCase {
    func testAMissingKeyFileIsNamedAndNeverReplacedOnSQLite() throws { try missingKeyFile(.sqlite) }

    func testAMissingKeyFileIsNamedAndNeverReplacedOnPostgreSQL() throws { try missingKeyFile(.postgres) }

    private func missingKeyFile(_ backend: DirectoryFixture.Backend) throws {
        let directory = try DirectoryFixture(backend: backend)
        try directory.addUser("dana@contoso.com", name: "Dana Scully")
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.keyFile), "the first tenant add made the key")
        let original = try Data(contentsOf: URL(fileURLWithPath: directory.keyFile))
        let aside = directory.keyFile + ".aside"
        try FileManager.default.moveItem(atPath: directory.keyFile, toPath: aside)

        for arguments in [
            ["security-info", "list", "--user", "dana@contoso.com", "--client-address", "10.1.2.3", "--json"],
            ["admin", "tap", "issue", "--user", "dana@contoso.com", "--json", "--admin", "it@contoso.com", "--client-address", "10.0.0.1"],
            ["admin", "tenant", "add", "--id", "fabrikam", "--name", "Fabrikam", "--rp-id", "fabrikam.com", "--origin", "https://login.fabrikam.com",
             "--json", "--admin", "it@contoso.com", "--client-address", "10.0.0.1"],
        ] {
            let result = try directory.keybridge(arguments)
            XCTAssertEqual(result.status, 14, "[\(backend)] \(arguments): \(result.stdout) \(result.stderr)")
            let error = (try? JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])?["error"] as? [String: Any]
            XCTAssertTrue((error?["detail"] as? String ?? "").contains("the key file \(directory.keyFile) is missing"), "[\(backend)] \(result.stdout)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: directory.keyFile), "[\(backend)] no new key was made by \(arguments)")
        }

        // Back in place, everything works again with the same key.
        try FileManager.default.moveItem(atPath: aside, toPath: directory.keyFile)
        let pass = try directory.issuePass("dana@contoso.com")
        XCTAssertFalse(pass.isEmpty)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: directory.keyFile)), original)
    }
}
