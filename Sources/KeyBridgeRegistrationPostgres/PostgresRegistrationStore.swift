import Foundation
import KeyBridgeRegistration
import Logging
import PostgresNIO

/// The shared store: PostgreSQL through postgres-nio, for several servers using one directory.
///
/// Every requirement is one statement or one transaction; invariants that span rows (the
/// per-kind method limit, the one default method, the audit log's order) are held under
/// transaction-scoped advisory locks, so they hold across servers, not only inside this process.
/// A transaction that fails on a serialization failure or deadlock is retried a few times.
///
/// The store owns a connection pool whose background task it starts itself; call
/// ``shutdown()`` when done (a command-line process may also just exit).
///
/// Nothing is logged, and no error message carries a value the caller stored: only what went
/// wrong and where.
public final class PostgresRegistrationStore: RegistrationStore {
    /// Where the store is connected (without its password in ``PostgresDirectoryURL/description``).
    public let location: PostgresDirectoryURL
    let client: PostgresClient
    private let runTask: Task<Void, Never>

    /// A logger that drops everything: queries carry hashes and sealed secrets as parameters.
    static let silent = Logger(label: "keybridge.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Opens the store at `url` (see ``PostgresDirectoryURL``) and, with `migrate`, brings its
    /// schema up to date first.
    public convenience init(url: String, migrate: Bool = true) async throws(RegistrationError) {
        try await self.init(location: PostgresDirectoryURL(url), migrate: migrate)
    }

    /// Opens the store at `location`. One connection is made first, so a wrong address, password
    /// or TLS setting fails here at once with what is wrong; with `migrate` the schema is brought
    /// up to date on it (see ``migrate()``). Then the pool starts. Without `migrate` (a doctor
    /// looking at ``schemaVersion()``), calls fail with a store error until the schema is current.
    public init(location: PostgresDirectoryURL, migrate: Bool = true) async throws(RegistrationError) {
        self.location = location
        let connection = try await Self.connect(location)
        do {
            if migrate { _ = try await PostgresMigrations.run(on: connection) }
        } catch {
            try? await connection.close()
            throw Self.storeError(error, "cannot migrate the directory at \(location)")
        }
        try? await connection.close()
        let client = PostgresClient(configuration: location.clientConfiguration())
        self.client = client
        runTask = Task { await client.run() }
    }

    deinit { runTask.cancel() }

    /// Stops the connection pool: running calls fail, and so does every later one.
    public func shutdown() async {
        runTask.cancel()
        await runTask.value
    }

    /// Brings the schema up to date: the versions not yet in `keybridge_schema_migrations` are
    /// applied in one transaction under an advisory lock, so servers starting together against an
    /// empty database do not collide. Idempotent. Returns the schema version now in place.
    @discardableResult
    public func migrate() async throws(RegistrationError) -> Int {
        do {
            return try await client.withConnection { connection in try await PostgresMigrations.run(on: connection) }
        } catch {
            throw Self.storeError(error, "cannot migrate the directory at \(location)")
        }
    }

    /// The schema version in the database (0 for an empty database).
    public func schemaVersion() async throws(RegistrationError) -> Int {
        do {
            return try await client.withConnection { connection in try await PostgresMigrations.version(on: connection) }
        } catch {
            throw Self.storeError(error, "cannot read the schema version of \(location)")
        }
    }

    /// The schema version this build of keybridge writes.
    public static var latestSchemaVersion: Int { PostgresMigrations.latestVersion }

    // MARK: Connections and transactions

    static func connect(_ location: PostgresDirectoryURL) async throws(RegistrationError) -> PostgresConnection {
        let configuration = try location.connectionConfiguration()
        do {
            return try await PostgresConnection.connect(configuration: configuration, id: 0, logger: silent)
        } catch {
            throw storeError(error, "cannot connect to \(location)")
        }
    }

    /// Runs `body` in one transaction (READ COMMITTED), committing when it returns and rolling back
    /// when it throws. Serialization failures and deadlocks are retried up to four more times;
    /// a ``RegistrationError`` thrown by `body` is passed on as it is; a unique violation becomes
    /// `uniqueViolation` when given.
    func transaction<T: Sendable>(
        _ what: String, uniqueViolation: RegistrationError? = nil,
        _ body: (PostgresConnection) async throws -> T
    ) async throws(RegistrationError) -> T {
        try await retrying(what, uniqueViolation: uniqueViolation) {
            try await client.withConnection { connection in
                try await connection.run("BEGIN")
                do {
                    let value = try await body(connection)
                    try await connection.run("COMMIT")
                    return value
                } catch {
                    _ = try? await connection.run("ROLLBACK")
                    throw error
                }
            }
        }
    }

    /// Runs one statement outside an explicit transaction and reads every row it returns.
    func rows(_ query: PostgresQuery, _ what: String, uniqueViolation: RegistrationError? = nil)
        async throws(RegistrationError) -> [PostgresRow]
    {
        try await retrying(what, uniqueViolation: uniqueViolation) {
            try await client.query(query, logger: Self.silent).collect()
        }
    }

    /// Runs `attempt` again (up to five times) after a serialization failure or deadlock; passes a
    /// ``RegistrationError`` on as it is, turns a unique violation into `uniqueViolation` when
    /// given, and anything else into ``RegistrationError/store(_:)`` naming `what`.
    private func retrying<T>(
        _ what: String, uniqueViolation: RegistrationError?, _ attempt: () async throws -> T
    ) async throws(RegistrationError) -> T {
        var tries = 0
        while true {
            tries += 1
            do {
                return try await attempt()
            } catch let error as RegistrationError {
                throw error
            } catch let error as PSQLError where Self.isRetryable(error) && tries < 5 {
                try? await Task.sleep(for: .milliseconds(Int.random(in: 5...20) * tries))
                continue
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" && uniqueViolation != nil {
                throw uniqueViolation!
            } catch {
                throw Self.storeError(error, what)
            }
        }
    }

    /// Serialization failure and deadlock: the transaction did nothing and may simply run again.
    static func isRetryable(_ error: PSQLError) -> Bool {
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    /// A ``RegistrationError/store(_:)`` saying what failed and why, without any value: for a
    /// server error its SQLSTATE and primary message (never the detail, which quotes row values).
    static func storeError(_ error: any Error, _ what: String) -> RegistrationError {
        if let error = error as? RegistrationError { return error }
        if let error = error as? PSQLError {
            if let info = error.serverInfo {
                let state = info[.sqlState] ?? "?"
                // A data exception's message may quote the value it refused: only its class is told.
                if state.hasPrefix("22") { return .store("\(what): the database refused a value (SQLSTATE \(state))") }
                return .store("\(what): \(info[.message] ?? "server error") (SQLSTATE \(state))")
            }
            switch error.code {
            case .sslUnsupported:
                return .store("\(what): the server does not offer TLS, and sslmode requires it")
            case .connectionError:
                return .store("\(what): \(error.underlying.map { "\($0)" } ?? "the connection failed")")
            case .poolClosed:
                return .store("\(what): the store was shut down")
            default:
                let underlying = error.underlying.map { ": \($0)" } ?? ""
                return .store("\(what): \(error.code)\(underlying)")
            }
        }
        if "\(error)".contains("poolShutdown") {
            // ConnectionPoolError lives in a module postgres-nio does not export.
            return .store("\(what): the store was shut down")
        }
        if let error = error as? PostgresDecodingError {
            return .store("\(what): column \(error.columnName) cannot be read as \(error.targetType) (\(error.code))")
        }
        return .store("\(what): \(error)")
    }

    // MARK: Values

    /// Seconds since 1970, as every time column holds them (exactly what the caller passed).
    static func epoch(_ date: Date) -> Double { date.timeIntervalSince1970 }

    static func date(_ epoch: Double) -> Date { Date(timeIntervalSince1970: epoch) }

    static func json<T: Encodable>(_ value: T) throws(RegistrationError) -> String {
        do {
            return String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
        } catch {
            throw .store("cannot encode a \(T.self): \(error)")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws(RegistrationError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw .store("corrupt \(T.self) document in the directory")
        }
    }

    /// Decodes a row's columns, turning a decoding failure into a store error.
    static func columns<each Column: PostgresDecodable>(
        _ row: PostgresRow, _ types: (repeat each Column).Type
    ) throws(RegistrationError) -> (repeat each Column) {
        do {
            return try row.decode(types)
        } catch {
            throw storeError(error, "corrupt row in the directory")
        }
    }

    /// Decodes a row's only (or first) column.
    static func column<Column: PostgresDecodable>(_ row: PostgresRow, _ type: Column.Type) throws(RegistrationError) -> Column {
        do {
            return try row.decode(type)
        } catch {
            throw storeError(error, "corrupt row in the directory")
        }
    }

    /// A BYTEA parameter (a ByteBuffer binds without throwing).
    static func bytes(_ value: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: value) }

    static func int64(_ value: UInt64, _ what: String) throws(RegistrationError) -> Int64 {
        guard let result = Int64(exactly: value) else { throw .invalidInput("\(what) \(value) is out of range") }
        return result
    }
}

/// Namespaces of the transaction-scoped advisory locks (`pg_advisory_xact_lock(int, int)`).
enum AdvisoryLock {
    /// One user's methods in one tenant: second key `hashtext(tenant || '/' || upn)`.
    static let userMethods: Int32 = 0x4B42_0001
    /// The audit log's append order: second key 0.
    static let auditAppend: Int32 = 0x4B42_0002
    /// The FIDO metadata list: second key 0.
    static let metadata: Int32 = 0x4B42_0003
    /// Schema migrations (`pg_advisory_xact_lock(bigint)`, outside the two-key space).
    static let migrations: Int64 = 0x4B42_4D49_4752_4154
}

extension PostgresConnection {
    /// Runs one statement and reads every row it returns (so an error that comes after the first
    /// row is thrown here, not lost with a discarded sequence). Nothing is logged.
    @discardableResult
    func run(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await self.query(query, logger: PostgresRegistrationStore.silent).collect()
    }
}
