import Foundation
import KeyBridgeRegistration
import XCTest

/// An embedded directory made before users' object ids were stored gets them from
/// `keybridge admin migrate` (migration v8), computed as keybridge computes them.
final class ObjectIDMigrationTests: XCTestCase {
    func testMigrateFillsInTheObjectIDsOfUsersSavedBeforeThem() throws {
        let directory = try DirectoryFixture()
        let upns = ["alice@contoso.com", "Zoë.Ångström@contoso.com"]
        for upn in upns { try directory.addUser(upn, name: upn) }
        // Back to v7: no object_id column, migration v8 not recorded.
        let revert = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("DROP INDEX users_by_object_id")
            db.execute("ALTER TABLE users DROP COLUMN object_id")
            db.execute("DELETE FROM grdb_migrations WHERE identifier = 'v8 user object ids'")
            db.commit()
            """
        let reverted = try ProcessRunner.run("/usr/bin/python3", ["-c", revert, directory.databasePath])
        XCTAssertEqual(reverted.status, 0, reverted.stderr)
        try directory.admin(["migrate"])
        let read = """
            import json, sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            print(json.dumps(dict(db.execute("SELECT upn, object_id FROM users").fetchall())))
            """
        let result = try ProcessRunner.run("/usr/bin/python3", ["-c", read, directory.databasePath])
        let stored = try XCTUnwrap(try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: String], result.stderr)
        XCTAssertEqual(stored, Dictionary(uniqueKeysWithValues: upns.map { ($0, DirectoryUser.objectID(upn: $0)) }))
    }
}
