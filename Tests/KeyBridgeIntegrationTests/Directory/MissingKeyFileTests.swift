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

/// Another application's SQLite database named as the directory is refused untouched: no
/// keybridge table is added to it, no file is made beside it.
final class ForeignDatabaseTests: XCTestCase {
    func testAnotherApplicationsDatabaseIsRefusedAndLeftUntouched() throws {
        let folder = try TestPaths.temporaryDirectory()
        let path = folder.appendingPathComponent("shop.sqlite").path
        let make = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT)")
            db.execute("INSERT INTO orders (item) VALUES ('tea')")
            db.commit()
            """
        XCTAssertEqual(try ProcessRunner.run("/usr/bin/python3", ["-c", make, path]).status, 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        for arguments in [
            ["security-info", "list", "--user", "dana@contoso.com", "--directory", path, "--json"],
            ["admin", "user", "list", "--directory", path, "--json"],
            ["admin", "migrate", "--directory", path, "--json"],
        ] {
            let result = try ProcessRunner.run(TestPaths.keybridge, arguments, environment: ["KEYBRIDGE_KEY_FILE": folder.appendingPathComponent("k").path])
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stdout) \(result.stderr)")
            let error = (try? JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any])?["error"] as? [String: Any]
            let message = "\(error?["message"] ?? "") \(error?["detail"] ?? "")"
            XCTAssertTrue(message.contains("is not a keybridge directory (it holds orders"), "\(arguments): \(result.stdout)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before, "not a byte changed")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        XCTAssertEqual(files, ["shop.sqlite"], "nothing made beside it")
    }
}

/// A directory file that cannot be written (here: immutable, which holds for root too) is read
/// without writing anything: commands that only read work; a command that changes it is refused,
/// saying the file is read-only, not with SQLite's internals.
final class ReadOnlyDirectoryTests: XCTestCase {
    func testAnImmutableDirectoryIsReadAndAChangeIsRefusedNamingWhy() throws {
        let directory = try DirectoryFixture()
        try directory.addUser("dana@contoso.com", name: "Dana Scully")
        let files = ["directory.sqlite", "directory.sqlite-wal"].map { directory.folder.appendingPathComponent($0).path }
            .filter { FileManager.default.fileExists(atPath: $0) }
        let frozen = try ProcessRunner.run("/usr/bin/chattr", ["+i"] + files)
        XCTAssertEqual(frozen.status, 0, "chattr +i must work on the test folder's file system: \(frozen.stderr)")
        defer { _ = try? ProcessRunner.run("/usr/bin/chattr", ["-i"] + files) }
        let before = try Data(contentsOf: URL(fileURLWithPath: directory.databasePath))
        let beside = try FileManager.default.contentsOfDirectory(atPath: directory.folder.path).sorted()

        for arguments in [
            ["admin", "user", "list", "--json"], ["admin", "tenant", "list", "--json"], ["admin", "audit", "--json"],
            ["admin", "policy", "show", "--tenant", "contoso"],
        ] {
            let result = try directory.keybridge(arguments)
            XCTAssertEqual(result.status, 0, "\(arguments) only reads: \(result.stdout) \(result.stderr)")
        }
        XCTAssertTrue(try directory.keybridge(["admin", "user", "list", "--json"]).stdout.contains("dana@contoso.com"))

        let change = try directory.keybridge(
            ["admin", "user", "add", "--upn", "fox@contoso.com", "--display-name", "Fox", "--home-tenant", "contoso", "--json",
             "--client-address", "10.0.0.1"])
        XCTAssertEqual(change.status, 14, change.stdout + change.stderr)
        let error = (try? JSONSerialization.jsonObject(with: change.stdoutData) as? [String: Any])?["error"] as? [String: Any]
        let message = "\(error?["message"] ?? "") \(error?["detail"] ?? "")"
        XCTAssertTrue(message.contains("read-only (the file is immutable)"), message)
        XCTAssertFalse(message.lowercased().contains("grdb") || message.contains("SQLite error"), message)

        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: directory.databasePath)), before, "not a byte changed")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.folder.path).sorted(), beside, "no file made beside it")
    }
}
