import Foundation
import XCTest

/// The test PostgreSQL cluster that `scripts/test-env start` runs (its URL in
/// `$KEYBRIDGE_TEST_POSTGRES_URL`): each test gets a database of its own.
enum TestPostgres {
    /// The cluster's URL; a test fails (never skips) when the cluster is not there.
    static func baseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["KEYBRIDGE_TEST_POSTGRES_URL"], !url.isEmpty else {
            XCTFail("KEYBRIDGE_TEST_POSTGRES_URL is not set: start the test cluster with `scripts/test-env start` (scripts/test does it)")
            throw NSError(domain: "TestPostgres", code: 1)
        }
        return url
    }

    /// Creates an empty database and returns its URL.
    static func createDatabase() throws -> String {
        let base = try baseURL()
        let name = "kb_it_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let result = try ProcessRunner.run("/usr/bin/psql", [psqlURL(base), "-v", "ON_ERROR_STOP=1", "-qc", "CREATE DATABASE \(name)"])
        guard result.status == 0 else {
            XCTFail("cannot create a test database: \(result.stderr)")
            throw NSError(domain: "TestPostgres", code: 2)
        }
        return replacingDatabase(in: base, with: name)
    }

    /// `base` with another database name (the path of the URL).
    static func replacingDatabase(in base: String, with name: String) -> String {
        var components = URLComponents(string: base)!
        components.path = "/" + name
        return components.string!
    }

    /// psql does not know keybridge's extra URL parameters; it needs only the connection.
    private static func psqlURL(_ url: String) -> String {
        var components = URLComponents(string: url)!
        components.queryItems = components.queryItems?.filter { $0.name == "sslmode" }
        return components.string!
    }
}
