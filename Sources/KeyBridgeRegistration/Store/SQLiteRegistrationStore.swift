import Foundation
import GRDB

/// The embedded store: SQLite through GRDB, WAL mode for a file, migrations, and every
/// invariant (method limits, unique credentials, single-use challenges) held in a transaction.
/// Several processes may share the file: writers wait for each other (busy timeout) instead of
/// failing with "database is locked". Calls run on GRDB's own queues, never blocking Swift's
/// cooperative thread pool.
public final class SQLiteRegistrationStore: RegistrationStore, @unchecked Sendable {
    let writer: any DatabaseWriter
    /// Why this store only reads (its file or folder cannot be written: immutable, or not
    /// this user's); nil when it can write. Reads work; every write is refused, naming why.
    let readOnlyReason: String?

    /// How long a writer waits for another process's transaction before giving up.
    static let busyTimeout: TimeInterval = 10

    /// A store in the file at `path` (created if missing), in WAL mode.
    /// A database that is not a keybridge directory (another application's) is refused untouched,
    /// before anything is written to it; a current schema is only read, never migrated again.
    /// A file this process cannot write (immutable, or another user's) is opened read-only, without
    /// writing anything: commands that only read work, and every write is refused, naming why.
    public init(path: String) throws(RegistrationError) {
        if let foreign = Self.foreignTables(path: path) {
            throw .invalidInput(
                "\(path) is not a keybridge directory (it holds \(foreign.joined(separator: ", ")) and no keybridge schema); "
                    + "nothing was changed: pass the directory's own file with --directory")
        }
        if let reason = Self.unwritableReason(path: path) {
            readOnlyReason = reason
            do {
                writer = try Self.readOnlyQueue(path)
                let current = try writer.read { try SQLiteMigrations.migrator.hasCompletedMigrations($0) }
                guard current else {
                    throw RegistrationError.store(
                        "the directory at \(path) is read-only (\(reason)) and its schema is older than this keybridge: "
                            + "make it writable, then run `keybridge admin migrate`")
                }
            } catch let error as RegistrationError {
                throw error
            } catch {
                throw .store("cannot read the directory at \(path) (\(reason)): \(error)")
            }
            return
        }
        readOnlyReason = nil
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(Self.busyTimeout)
            writer = try DatabasePool(path: path, configuration: configuration)
            let migrator = SQLiteMigrations.migrator
            if try !writer.read({ try migrator.hasCompletedMigrations($0) }) { try migrator.migrate(writer) }
        } catch {
            throw .store("cannot open the directory at \(path): \(error)")
        }
    }

    /// A private in-memory store (tests, dry runs).
    public init() throws(RegistrationError) {
        do {
            writer = try DatabaseQueue()
            readOnlyReason = nil
            try SQLiteMigrations.migrator.migrate(writer)
        } catch {
            throw .store("cannot create an in-memory directory: \(error)")
        }
    }

    // MARK: Tenants and users

    public func save(tenant: Tenant) async throws(RegistrationError) {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO tenants (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name",
                arguments: [tenant.id, tenant.name])
        }
    }

    public func tenants() async throws(RegistrationError) -> [Tenant] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT id, name FROM tenants ORDER BY id").map { Tenant(id: $0["id"], name: $0["name"]) }
        }
    }

    public func save(configuration: TenantConfiguration, tenant: String) async throws(RegistrationError) {
        let json = try encode(configuration)
        try await write { db in
            try db.execute(sql: "UPDATE tenants SET configuration = ? WHERE id = ?", arguments: [json, tenant])
            if db.changesCount == 0 { throw RegistrationError.tenantNotFound(tenant) }
        }
    }

    public func configuration(tenant: String) async throws(RegistrationError) -> TenantConfiguration? {
        try await read { db in
            try Data.fetchOne(db, sql: "SELECT configuration FROM tenants WHERE id = ?", arguments: [tenant])
                .map { try JSONDecoder().decode(TenantConfiguration.self, from: $0) }
        }
    }

    public func save(user: DirectoryUser) async throws(RegistrationError) {
        let json = try encode(user)
        try await write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO users (upn, json, object_id) VALUES (?, ?, ?)", arguments: [user.upn, json, user.objectID])
            try db.execute(sql: "DELETE FROM user_tenants WHERE upn = ?", arguments: [user.upn])
            try SQLiteRecords.insertMemberships(of: user, db)
        }
    }

    public func user(upn: String) async throws(RegistrationError) -> DirectoryUser? {
        try await read { db in
            try Data.fetchOne(db, sql: "SELECT json FROM users WHERE upn = ?", arguments: [upn])
                .map { try JSONDecoder().decode(DirectoryUser.self, from: $0) }
        }
    }

    public func user(objectID: String) async throws(RegistrationError) -> DirectoryUser? {
        try await read { db in
            try Data.fetchOne(db, sql: "SELECT json FROM users WHERE object_id = ? ORDER BY upn LIMIT 1", arguments: [objectID.lowercased()])
                .map { try JSONDecoder().decode(DirectoryUser.self, from: $0) }
        }
    }

    public func users(tenant: String?) async throws(RegistrationError) -> [DirectoryUser] {
        try await read { db in
            let rows: [Data] =
                if let tenant {
                    try Data.fetchAll(
                        db,
                        sql: """
                            SELECT users.json FROM user_tenants JOIN users ON users.upn = user_tenants.upn
                            WHERE user_tenants.tenant = ? ORDER BY user_tenants.upn
                            """, arguments: [tenant])
                } else {
                    try Data.fetchAll(db, sql: "SELECT json FROM users ORDER BY upn")
                }
            return try rows.map { try JSONDecoder().decode(DirectoryUser.self, from: $0) }
        }
    }

    // MARK: Ceremonies

    public func saveChallenge(_ challenge: [UInt8], upn: String, tenant: String, expires: Date, ceremony: [UInt8]?)
        async throws(RegistrationError)
    {
        try await write { db in
            // Challenges never answered would pile up: drop the expired ones with each new one.
            try db.execute(sql: "DELETE FROM challenges WHERE expires < ?", arguments: [Date().timeIntervalSince1970])
            try db.execute(
                sql: "INSERT INTO challenges (challenge, upn, tenant, expires, ceremony) VALUES (?, ?, ?, ?, ?)",
                arguments: [hex(challenge), upn, tenant, expires.timeIntervalSince1970, ceremony.map { Data($0) }])
        }
    }

    public func consumeChallenge(_ challenge: [UInt8], upn: String, tenant: String) async throws(RegistrationError)
        -> StoredChallenge?
    {
        try await write { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT expires, ceremony FROM challenges WHERE challenge = ? AND upn = ? AND tenant = ?",
                arguments: [hex(challenge), upn, tenant])
            guard let row else { return nil }
            try db.execute(sql: "DELETE FROM challenges WHERE challenge = ?", arguments: [hex(challenge)])
            let ceremony: Data? = row["ceremony"]
            return StoredChallenge(expires: Date(timeIntervalSince1970: row["expires"]), ceremony: ceremony.map { [UInt8]($0) })
        }
    }

    // MARK: Hardware tokens

    public func save(token: HardwareToken) async throws(RegistrationError) {
        let json = try encode(token)
        try await write { db in
            let exists = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM tokens WHERE tenant = ? AND serial = ?", arguments: [token.tenant, token.serial]) ?? false
            if exists { throw RegistrationError.alreadyExists("token \(token.serial) in \(token.tenant)") }
            try db.execute(
                sql: "INSERT INTO tokens (tenant, serial, json, method_id) VALUES (?, ?, ?, ?)",
                arguments: [token.tenant, token.serial, json, token.activatedMethodID])
        }
    }

    public func save(tokens: [HardwareToken]) async throws(RegistrationError) {
        let rows = try tokens.map { token throws(RegistrationError) in (token, try encode(token)) }
        try await write { db in
            let exists = try db.cachedStatement(sql: "SELECT 1 FROM tokens WHERE tenant = ? AND serial = ?")
            let insert = try db.cachedStatement(sql: "INSERT INTO tokens (tenant, serial, json, method_id) VALUES (?, ?, ?, ?)")
            for (token, json) in rows {
                if try Bool.fetchOne(exists, arguments: [token.tenant, token.serial]) ?? false {
                    throw RegistrationError.alreadyExists("token \(token.serial) in \(token.tenant)")
                }
                try insert.execute(arguments: [token.tenant, token.serial, json, token.activatedMethodID])
            }
        }
    }

    public func token(serial: String, tenant: String) async throws(RegistrationError) -> HardwareToken? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT json, method_id FROM tokens WHERE tenant = ? AND serial = ?", arguments: [tenant, serial]
            ).map(Self.token)
        }
    }

    public func tokens(tenant: String) async throws(RegistrationError) -> [HardwareToken] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT json, method_id FROM tokens WHERE tenant = ? ORDER BY serial", arguments: [tenant])
                .map(Self.token)
        }
    }

    private static func token(_ row: Row) throws -> HardwareToken {
        var token = try JSONDecoder().decode(HardwareToken.self, from: row["json"] as Data)
        token.activatedMethodID = row["method_id"]
        return token
    }

    public func assignToken(serial: String, tenant: String, methodID: String?) async throws(RegistrationError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE tokens SET method_id = ? WHERE tenant = ? AND serial = ?", arguments: [methodID, tenant, serial])
        }
    }

    // MARK: Temporary Access Passes

    public func save(pass: StoredAccessPass) async throws(RegistrationError) {
        let json = try encode(pass)
        try await write { db in
            try db.execute(
                sql: "INSERT INTO passes (id, upn, tenant, json, used) VALUES (?, ?, ?, ?, 0)",
                arguments: [pass.id, pass.upn, pass.tenant, json])
        }
    }

    public func passes(upn: String, tenant: String) async throws(RegistrationError) -> [StoredAccessPass] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT json, used FROM passes WHERE upn = ? AND tenant = ? ORDER BY rowid", arguments: [upn, tenant])
                .map { row in
                    var pass = try JSONDecoder().decode(StoredAccessPass.self, from: row["json"] as Data)
                    pass.used = (row["used"] as Int) != 0
                    return pass
                }
        }
    }

    public func markPassUsed(id: String) async throws(RegistrationError) -> Bool {
        try await write { db in
            try db.execute(sql: "UPDATE passes SET used = 1 WHERE id = ? AND used = 0", arguments: [id])
            return db.changesCount == 1
        }
    }

    public func deletePass(id: String) async throws(RegistrationError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM passes WHERE id = ?", arguments: [id])
            return db.changesCount == 1
        }
    }

    // MARK: Wrong-code counting

    public func recordFailedAttempt(key: String, time: Date) async throws(RegistrationError) {
        try await write { db in
            try db.execute(sql: "INSERT INTO attempts (key, time) VALUES (?, ?)", arguments: [key, time.timeIntervalSince1970])
        }
    }

    public func failedAttempts(key: String, since: Date) async throws(RegistrationError) -> Int {
        try await read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM attempts WHERE key = ? AND time > ?", arguments: [key, since.timeIntervalSince1970]
            ) ?? 0
        }
    }

    public func clearFailedAttempts(key: String) async throws(RegistrationError) {
        try await write { db in try db.execute(sql: "DELETE FROM attempts WHERE key = ?", arguments: [key]) }
    }

    // MARK: API tokens

    public func save(apiToken: StoredAPIToken) async throws(RegistrationError) {
        let json = try encode(apiToken)
        try await write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO api_tokens (id, tenant, created, json) VALUES (?, ?, ?, ?)",
                arguments: [apiToken.id, apiToken.tenant, apiToken.created.timeIntervalSince1970, json])
        }
    }

    public func apiToken(id: String) async throws(RegistrationError) -> StoredAPIToken? {
        try await read { db in
            try Data.fetchOne(db, sql: "SELECT json FROM api_tokens WHERE id = ?", arguments: [id])
                .map { try JSONDecoder().decode(StoredAPIToken.self, from: $0) }
        }
    }

    public func apiTokens(tenant: String?) async throws(RegistrationError) -> [StoredAPIToken] {
        try await read { db in
            let rows: [Data] =
                if let tenant {
                    try Data.fetchAll(db, sql: "SELECT json FROM api_tokens WHERE tenant = ? ORDER BY created", arguments: [tenant])
                } else {
                    try Data.fetchAll(db, sql: "SELECT json FROM api_tokens ORDER BY created")
                }
            return try rows.map { try JSONDecoder().decode(StoredAPIToken.self, from: $0) }
        }
    }

    // MARK: Audit

    public func append(_ event: AuditEvent) async throws(RegistrationError) {
        try await write { db in try SQLiteRecords.insert(audit: event, db) }
    }

    public func auditEvents(_ query: AuditQuery) async throws(RegistrationError) -> AuditPage {
        try await read { db in
            let filter = SQLiteRecords.auditFilter(query)
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, json FROM audit \(filter.sql) ORDER BY id LIMIT \(query.limit)", arguments: filter.arguments)
            let events = try rows.map { row in
                SequencedAuditEvent(sequence: row["id"], event: try JSONDecoder().decode(AuditEvent.self, from: row["json"] as Data))
            }
            return AuditPage(events: events, nextAfter: events.count == query.limit ? events.last?.sequence : nil)
        }
    }

    // MARK: Helpers

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(RegistrationError) -> T {
        if let readOnlyReason {
            throw .store("the directory is read-only (\(readOnlyReason)) and this command changes it; nothing was changed")
        }
        do {
            return try await writer.write { db in try body(db) }
        } catch let error as RegistrationError {
            throw error
        } catch {
            throw .store("\(error)")
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(RegistrationError) -> T {
        do {
            return try await writer.read { db in try body(db) }
        } catch let error as RegistrationError {
            throw error
        } catch {
            throw .store("\(error)")
        }
    }

    func encode<T: Encodable>(_ value: T) throws(RegistrationError) -> Data {
        do { return try JSONEncoder().encode(value) } catch { throw .store("cannot encode: \(error)") }
    }
}
