import Foundation
@testable import KeyBridgeRegistration
@testable import KeyBridgeRegistrationPostgres
import PostgresNIO
import Testing

/// The stores every contract test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// What a PostgreSQL case says when the test cluster is not there: it fails, it never skips.
let postgresURLMissing: Comment = """
    KEYBRIDGE_TEST_POSTGRES_URL is not set: run scripts/test-env start, then \
    KEYBRIDGE_TEST_POSTGRES_URL=$(cat /tmp/keybridge-test-env/postgres.url) swift test …
    """

/// The test cluster's URL (see `scripts/test-env`); fails the test when it is not set.
func testPostgresURL() throws -> PostgresDirectoryURL {
    let text = try #require(ProcessInfo.processInfo.environment["KEYBRIDGE_TEST_POSTGRES_URL"], postgresURLMissing)
    return try PostgresDirectoryURL(text)
}

/// A fresh, empty directory for one test and `servers` store instances on it — two instances
/// are two servers sharing one database (SQLite: two `SQLiteRegistrationStore`s on one file;
/// PostgreSQL: two stores with their own pools on one database). Removed afterwards.
func withStores<T>(
    _ kind: StoreKind, servers: Int = 1, _ body: ([any RegistrationStore]) async throws -> T
) async throws -> T {
    switch kind {
    case .sqlite:
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kb-contract-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        var stores: [any RegistrationStore] = []
        for _ in 0..<servers { stores.append(try SQLiteRegistrationStore(path: path)) }
        return try await body(stores)
    case .postgres:
        let database = try await TestDatabase.create()
        var stores: [PostgresRegistrationStore] = []
        do {
            for _ in 0..<servers { stores.append(try await PostgresRegistrationStore(location: database.location)) }
            let result = try await body(stores)
            for store in stores { await store.shutdown() }
            try await database.drop()
            return result
        } catch {
            for store in stores { await store.shutdown() }
            try? await database.drop()
            throw error
        }
    }
}

/// A database `kb_<random>` on the test cluster, made through an admin connection to the
/// cluster's `keybridge` database.
struct TestDatabase {
    let admin: PostgresDirectoryURL
    let name: String
    /// The new database's URL (small pools: many tests run at once).
    var location: PostgresDirectoryURL {
        var location = admin.with(database: name)
        location.maximumConnections = 4
        return location
    }

    static func create() async throws -> TestDatabase {
        let admin = try testPostgresURL()
        // Only [0-9a-f]: the name is an identifier in the statement, not a bound value.
        let name = "kb_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await run(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), on: admin)
        return TestDatabase(admin: admin, name: name)
    }

    func drop() async throws {
        try await Self.run(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), on: admin)
    }

    static func run(_ query: PostgresQuery, on location: PostgresDirectoryURL) async throws {
        let connection = try await PostgresRegistrationStore.connect(location)
        do {
            _ = try await connection.query(query, logger: PostgresRegistrationStore.silent).collect()
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    /// Rows of `query` in this database (for looking at the schema itself).
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        let connection = try await PostgresRegistrationStore.connect(location)
        do {
            let rows = try await connection.query(query, logger: PostgresRegistrationStore.silent).collect()
            try await connection.close()
            return rows
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

/// Expects `body` to throw exactly `expected`.
func expectRefusal<T>(
    _ expected: RegistrationError, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        Issue.record("expected \(expected), but the call succeeded", sourceLocation: sourceLocation)
    } catch let error as RegistrationError {
        #expect(error == expected, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
    }
}
