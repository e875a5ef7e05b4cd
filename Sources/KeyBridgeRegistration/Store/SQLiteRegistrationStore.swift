import Foundation
import GRDB

/// The embedded store: SQLite through GRDB, WAL mode for a file, migrations, and every
/// invariant (method limits, unique credentials, single-use challenges) held in a transaction.
public final class SQLiteRegistrationStore: RegistrationStore, @unchecked Sendable {
    private let writer: any DatabaseWriter

    /// A store in the file at `path` (created if missing), in WAL mode.
    public init(path: String) throws(RegistrationError) {
        do {
            writer = try DatabasePool(path: path)
            try Self.migrator.migrate(writer)
        } catch {
            throw .store("cannot open the directory at \(path): \(error)")
        }
    }

    /// A private in-memory store (tests, dry runs).
    public init() throws(RegistrationError) {
        do {
            writer = try DatabaseQueue()
            try Self.migrator.migrate(writer)
        } catch {
            throw .store("cannot create an in-memory directory: \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL);
                    CREATE TABLE users (upn TEXT PRIMARY KEY, json BLOB NOT NULL);
                    CREATE TABLE methods (
                        id TEXT PRIMARY KEY, tenant TEXT NOT NULL, upn TEXT NOT NULL, kind TEXT NOT NULL,
                        display_value TEXT NOT NULL, friendly_name TEXT, is_default INTEGER NOT NULL DEFAULT 0,
                        created DOUBLE NOT NULL, fido2 BLOB, credential_id TEXT,
                        UNIQUE (tenant, credential_id));
                    CREATE INDEX methods_by_user ON methods (tenant, upn);
                    CREATE TABLE challenges (
                        challenge TEXT PRIMARY KEY, upn TEXT NOT NULL, tenant TEXT NOT NULL, expires DOUBLE NOT NULL);
                    CREATE TABLE audit (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, upn TEXT NOT NULL,
                        time DOUBLE NOT NULL, json BLOB NOT NULL);
                    """)
        }
        migrator.registerMigration("v2 access passes") { db in
            try db.execute(
                sql: """
                    CREATE TABLE passes (
                        id TEXT PRIMARY KEY, upn TEXT NOT NULL, tenant TEXT NOT NULL, json BLOB NOT NULL,
                        used INTEGER NOT NULL DEFAULT 0);
                    CREATE INDEX passes_by_user ON passes (tenant, upn);
                    """)
        }
        migrator.registerMigration("v3 otp secrets") { db in
            try db.execute(sql: "ALTER TABLE methods ADD COLUMN secret BLOB; ALTER TABLE methods ADD COLUMN otp_step INTEGER;")
        }
        migrator.registerMigration("v4 hardware tokens") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tokens (
                        tenant TEXT NOT NULL, serial TEXT NOT NULL, json BLOB NOT NULL, method_id TEXT,
                        PRIMARY KEY (tenant, serial));
                    """)
        }
        migrator.registerMigration("v5 tenant configurations and code attempts") { db in
            try db.execute(
                sql: """
                    ALTER TABLE tenants ADD COLUMN configuration BLOB;
                    CREATE TABLE attempts (key TEXT NOT NULL, time DOUBLE NOT NULL);
                    CREATE INDEX attempts_by_key ON attempts (key, time);
                    """)
        }
        return migrator
    }

    // MARK: Directory

    public func save(tenant: Tenant) throws(RegistrationError) {
        try write { db in
            try db.execute(
                sql: "INSERT INTO tenants (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name",
                arguments: [tenant.id, tenant.name])
        }
    }

    public func tenants() throws(RegistrationError) -> [Tenant] {
        let rows = try read { db in try Row.fetchAll(db, sql: "SELECT id, name FROM tenants ORDER BY id") }
        return rows.map { Tenant(id: $0["id"], name: $0["name"]) }
    }

    public func save(configuration: TenantConfiguration, tenant: String) throws(RegistrationError) {
        let json = try encode(configuration)
        try write { db in
            try db.execute(sql: "UPDATE tenants SET configuration = ? WHERE id = ?", arguments: [json, tenant])
            if db.changesCount == 0 { throw RegistrationError.tenantNotFound(tenant) }
        }
    }

    public func configuration(tenant: String) throws(RegistrationError) -> TenantConfiguration? {
        let data: Data? = try read { db in
            try Data.fetchOne(db, sql: "SELECT configuration FROM tenants WHERE id = ?", arguments: [tenant])
        }
        return try data.map { data throws(RegistrationError) in try decode(TenantConfiguration.self, data) }
    }

    public func save(user: DirectoryUser) throws(RegistrationError) {
        let json = try encode(user)
        try write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO users (upn, json) VALUES (?, ?)", arguments: [user.upn, json])
        }
    }

    public func user(upn: String) throws(RegistrationError) -> DirectoryUser? {
        let data: Data? = try read { db in try Data.fetchOne(db, sql: "SELECT json FROM users WHERE upn = ?", arguments: [upn]) }
        guard let data else { return nil }
        return try decode(DirectoryUser.self, data)
    }

    public func users() throws(RegistrationError) -> [DirectoryUser] {
        let rows: [Data] = try read { db in try Data.fetchAll(db, sql: "SELECT json FROM users ORDER BY upn") }
        return try rows.map { data throws(RegistrationError) in try decode(DirectoryUser.self, data) }
    }

    // MARK: Methods

    public func methods(upn: String, tenant: String) throws(RegistrationError) -> [RegisteredMethod] {
        let rows = try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM methods WHERE tenant = ? AND upn = ? ORDER BY created", arguments: [tenant, upn])
        }
        return try rows.map { row throws(RegistrationError) in try method(row) }
    }

    public func addMethod(_ draft: MethodDraft, upn: String, tenant: String, sealedSecret: [UInt8]?)
        throws(RegistrationError) -> RegisteredMethod
    {
        let kind = draft.methodKind
        let method = RegisteredMethod(
            id: UUID().uuidString, tenant: tenant, upn: upn, kind: kind, displayValue: draft.displayValue,
            friendlyName: draft.friendlyName, fido2: nil, isDefault: false, created: Date())
        try write { db in
            if let maximum = kind.maximumPerUser {
                let count = try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM methods WHERE tenant = ? AND upn = ? AND kind = ?",
                    arguments: [tenant, upn, kind.rawValue]) ?? 0
                if count >= maximum { throw RegistrationError.limitReached(kind, maximum: maximum) }
            }
            try Self.insert(method, db)
            if let sealedSecret {
                try db.execute(sql: "UPDATE methods SET secret = ? WHERE id = ?", arguments: [Data(sealedSecret), method.id])
            }
        }
        return method
    }

    public func otpState(methodID: String) throws(RegistrationError) -> (sealedSecret: [UInt8], lastStep: UInt64?)? {
        let row = try read { db in try Row.fetchOne(db, sql: "SELECT secret, otp_step FROM methods WHERE id = ?", arguments: [methodID]) }
        guard let row, let secret = row["secret"] as Data? else { return nil }
        let step: Int64? = row["otp_step"]
        return ([UInt8](secret), step.map { UInt64($0) })
    }

    public func setOTPStep(methodID: String, step: UInt64) throws(RegistrationError) {
        try write { db in
            try db.execute(sql: "UPDATE methods SET otp_step = ? WHERE id = ?", arguments: [Int64(step), methodID])
        }
    }

    public func addFIDO2Key(_ registration: VerifiedFIDO2Registration, audit: AuditEvent) throws(RegistrationError)
        -> RegisteredMethod
    {
        let auditJSON = try encode(audit)
        let method = RegisteredMethod(
            id: UUID().uuidString, tenant: registration.tenant, upn: registration.upn, kind: .fido2SecurityKey,
            displayValue: registration.record.model ?? "Security key", friendlyName: registration.friendlyName,
            fido2: registration.record, isDefault: false, created: Date())
        try write { db in
            let existing = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM methods WHERE tenant = ? AND credential_id = ?",
                arguments: [registration.tenant, hex(registration.record.credentialID)]) ?? 0
            if existing > 0 { throw RegistrationError.duplicateCredential }
            try Self.insert(method, db)
            try Self.insert(audit: audit, json: auditJSON, db)
        }
        return method
    }

    public func changeMethod(id: String, upn: String, tenant: String, displayValue: String) throws(RegistrationError) {
        try write { db in
            try db.execute(
                sql: "UPDATE methods SET display_value = ? WHERE id = ? AND upn = ? AND tenant = ?",
                arguments: [displayValue, id, upn, tenant])
            if db.changesCount == 0 { throw RegistrationError.methodNotFound(id) }
        }
    }

    public func deleteMethod(id: String, upn: String, tenant: String) throws(RegistrationError) {
        try write { db in
            try db.execute(sql: "DELETE FROM methods WHERE id = ? AND upn = ? AND tenant = ?", arguments: [id, upn, tenant])
            if db.changesCount == 0 { throw RegistrationError.methodNotFound(id) }
        }
    }

    public func setDefault(id: String, upn: String, tenant: String) throws(RegistrationError) {
        try write { db in
            try db.execute(sql: "UPDATE methods SET is_default = 0 WHERE upn = ? AND tenant = ?", arguments: [upn, tenant])
            try db.execute(
                sql: "UPDATE methods SET is_default = 1 WHERE id = ? AND upn = ? AND tenant = ?", arguments: [id, upn, tenant])
            if db.changesCount == 0 { throw RegistrationError.methodNotFound(id) }
        }
    }

    public func updateSignCount(methodID: String, to count: UInt32) throws(RegistrationError) {
        let rows = try read { db in try Row.fetchAll(db, sql: "SELECT * FROM methods WHERE id = ?", arguments: [methodID]) }
        guard let row = rows.first, var record = try method(row).fido2 else { throw .methodNotFound(methodID) }
        record.signCount = count
        let json = try encode(record)
        try write { db in
            try db.execute(sql: "UPDATE methods SET fido2 = ? WHERE id = ?", arguments: [json, methodID])
        }
    }

    // MARK: Challenges and audit

    public func saveChallenge(_ challenge: [UInt8], upn: String, tenant: String, expires: Date) throws(RegistrationError) {
        try write { db in
            // Challenges never answered would pile up: drop the expired ones with each new one.
            try db.execute(sql: "DELETE FROM challenges WHERE expires < ?", arguments: [Date().timeIntervalSince1970])
            try db.execute(
                sql: "INSERT INTO challenges (challenge, upn, tenant, expires) VALUES (?, ?, ?, ?)",
                arguments: [hex(challenge), upn, tenant, expires.timeIntervalSince1970])
        }
    }

    public func consumeChallenge(_ challenge: [UInt8], upn: String, tenant: String) throws(RegistrationError) -> Date? {
        var expires: Double?
        try write { db in
            expires = try Double.fetchOne(
                db, sql: "SELECT expires FROM challenges WHERE challenge = ? AND upn = ? AND tenant = ?",
                arguments: [hex(challenge), upn, tenant])
            try db.execute(sql: "DELETE FROM challenges WHERE challenge = ?", arguments: [hex(challenge)])
        }
        return expires.map { Date(timeIntervalSince1970: $0) }
    }

    public func save(token: HardwareToken) throws(RegistrationError) {
        let json = try encode(token)
        try write { db in
            try db.execute(
                sql: "INSERT INTO tokens (tenant, serial, json, method_id) VALUES (?, ?, ?, ?)",
                arguments: [token.tenant, token.serial, json, token.activatedMethodID])
        }
    }

    public func token(serial: String, tenant: String) throws(RegistrationError) -> HardwareToken? {
        try tokens(tenant: tenant).first { $0.serial == serial }
    }

    public func tokens(tenant: String) throws(RegistrationError) -> [HardwareToken] {
        let rows = try read { db in
            try Row.fetchAll(db, sql: "SELECT json, method_id FROM tokens WHERE tenant = ? ORDER BY serial", arguments: [tenant])
        }
        return try rows.map { row throws(RegistrationError) in
            var token = try decode(HardwareToken.self, row["json"])
            token.activatedMethodID = row["method_id"]
            return token
        }
    }

    public func assignToken(serial: String, tenant: String, methodID: String?) throws(RegistrationError) {
        try write { db in
            try db.execute(
                sql: "UPDATE tokens SET method_id = ? WHERE tenant = ? AND serial = ?", arguments: [methodID, tenant, serial])
        }
    }

    public func save(pass: StoredAccessPass) throws(RegistrationError) {
        let json = try encode(pass)
        try write { db in
            try db.execute(
                sql: "INSERT INTO passes (id, upn, tenant, json, used) VALUES (?, ?, ?, ?, 0)",
                arguments: [pass.id, pass.upn, pass.tenant, json])
        }
    }

    public func passes(upn: String, tenant: String) throws(RegistrationError) -> [StoredAccessPass] {
        let rows = try read { db in
            try Row.fetchAll(db, sql: "SELECT json, used FROM passes WHERE upn = ? AND tenant = ?", arguments: [upn, tenant])
        }
        return try rows.map { row throws(RegistrationError) in
            var pass = try decode(StoredAccessPass.self, row["json"])
            pass.used = (row["used"] as Int) != 0
            return pass
        }
    }

    public func markPassUsed(id: String) throws(RegistrationError) -> Bool {
        var changed = false
        try write { db in
            try db.execute(sql: "UPDATE passes SET used = 1 WHERE id = ? AND used = 0", arguments: [id])
            changed = db.changesCount == 1
        }
        return changed
    }

    public func append(_ event: AuditEvent) throws(RegistrationError) {
        let json = try encode(event)
        try write { db in try Self.insert(audit: event, json: json, db) }
    }

    private static func insert(audit event: AuditEvent, json: Data, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO audit (tenant, upn, time, json) VALUES (?, ?, ?, ?)",
            arguments: [event.tenant, event.upn, event.time.timeIntervalSince1970, json])
    }

    public func auditEvents(tenant: String?) throws(RegistrationError) -> [AuditEvent] {
        let rows: [Data] = try read { db in
            if let tenant {
                return try Data.fetchAll(db, sql: "SELECT json FROM audit WHERE tenant = ? ORDER BY id", arguments: [tenant])
            }
            return try Data.fetchAll(db, sql: "SELECT json FROM audit ORDER BY id")
        }
        return try rows.map { data throws(RegistrationError) in try decode(AuditEvent.self, data) }
    }

    public func recordFailedAttempt(key: String, time: Date) throws(RegistrationError) {
        try write { db in
            try db.execute(sql: "INSERT INTO attempts (key, time) VALUES (?, ?)", arguments: [key, time.timeIntervalSince1970])
        }
    }

    public func failedAttempts(key: String, since: Date) throws(RegistrationError) -> Int {
        try read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM attempts WHERE key = ? AND time > ?",
                arguments: [key, since.timeIntervalSince1970]) ?? 0
        }
    }

    public func clearFailedAttempts(key: String) throws(RegistrationError) {
        try write { db in try db.execute(sql: "DELETE FROM attempts WHERE key = ?", arguments: [key]) }
    }

    // MARK: Helpers

    private static func insert(_ method: RegisteredMethod, _ db: Database) throws {
        let fido2 = try method.fido2.map { try JSONEncoder().encode($0) }
        try db.execute(
            sql: """
                INSERT INTO methods (id, tenant, upn, kind, display_value, friendly_name, is_default, created, fido2, credential_id)
                VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)
                """,
            arguments: [
                method.id, method.tenant, method.upn, method.kind.rawValue, method.displayValue, method.friendlyName,
                method.created.timeIntervalSince1970, fido2, method.fido2.map { hex($0.credentialID) },
            ])
    }

    private func method(_ row: Row) throws(RegistrationError) -> RegisteredMethod {
        guard let kind = MethodKind(rawValue: row["kind"]) else { throw .store("unknown method kind \(row["kind"] as String)") }
        let fido2Data: Data? = row["fido2"]
        return RegisteredMethod(
            id: row["id"], tenant: row["tenant"], upn: row["upn"], kind: kind, displayValue: row["display_value"],
            friendlyName: row["friendly_name"], fido2: try fido2Data.map { data throws(RegistrationError) in try decode(FIDO2KeyRecord.self, data) },
            isDefault: (row["is_default"] as Int) != 0, created: Date(timeIntervalSince1970: row["created"]))
    }

    private func write(_ body: @escaping (Database) throws -> Void) throws(RegistrationError) {
        do {
            try writer.write { db in try body(db) }
        } catch let error as RegistrationError {
            throw error
        } catch {
            throw .store("\(error)")
        }
    }

    private func read<T>(_ body: @escaping (Database) throws -> T) throws(RegistrationError) -> T {
        do {
            return try writer.read { db in try body(db) }
        } catch {
            throw .store("\(error)")
        }
    }

    private func encode<T: Encodable>(_ value: T) throws(RegistrationError) -> Data {
        do { return try JSONEncoder().encode(value) } catch { throw .store("cannot encode: \(error)") }
    }

    private func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws(RegistrationError) -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch { throw .store("corrupt row: \(error)") }
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
