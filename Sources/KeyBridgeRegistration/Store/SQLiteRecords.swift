import Foundation
import GRDB

/// Rows of the embedded directory and the model values they hold.
enum SQLiteRecords {
    static func insert(_ method: RegisteredMethod, sealedSecret: [UInt8]?, _ db: Database) throws {
        let fido2 = try method.fido2.map { try JSONEncoder().encode($0) }
        try db.execute(
            sql: """
                INSERT INTO methods (id, tenant, upn, kind, display_value, friendly_name, is_default, created, fido2,
                    credential_id, secret)
                VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)
                """,
            arguments: [
                method.id, method.tenant, method.upn, method.kind.rawValue, method.displayValue, method.friendlyName,
                method.created.timeIntervalSince1970, fido2, method.fido2.map { hex($0.credentialID) },
                sealedSecret.map { Data($0) },
            ])
    }

    static func method(_ row: Row) throws -> RegisteredMethod {
        guard let kind = MethodKind(rawValue: row["kind"]) else {
            throw RegistrationError.store("unknown method kind \(row["kind"] as String)")
        }
        let fido2Data: Data? = row["fido2"]
        return RegisteredMethod(
            id: row["id"], tenant: row["tenant"], upn: row["upn"], kind: kind, displayValue: row["display_value"],
            friendlyName: row["friendly_name"], fido2: try fido2Data.map { try JSONDecoder().decode(FIDO2KeyRecord.self, from: $0) },
            isDefault: (row["is_default"] as Int) != 0, created: Date(timeIntervalSince1970: row["created"]))
    }

    static func insert(audit event: AuditEvent, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO audit (tenant, upn, time, action, failed, json) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [
                event.tenant, event.upn, event.time.timeIntervalSince1970, event.action, event.outcome == .failure,
                try JSONEncoder().encode(event),
            ])
    }

    /// The user's home and guest tenants, as rows of the membership index.
    static func insertMemberships(of user: DirectoryUser, _ db: Database) throws {
        for tenant in Set([user.homeTenant] + user.guestTenants) {
            try db.execute(sql: "INSERT INTO user_tenants (upn, tenant) VALUES (?, ?)", arguments: [user.upn, tenant])
        }
    }

    /// The WHERE clause and its arguments for an audit query.
    static func auditFilter(_ query: AuditQuery) -> (sql: String, arguments: StatementArguments) {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        func add(_ clause: String, _ value: (any DatabaseValueConvertible)?) {
            guard let value else { return }
            clauses.append(clause)
            arguments += [value]
        }
        add("tenant = ?", query.tenant)
        add("upn = ?", query.upn)
        add("action = ?", query.action)
        add("failed = ?", query.failures)
        add("time >= ?", query.since?.timeIntervalSince1970)
        add("time < ?", query.until?.timeIntervalSince1970)
        add("id > ?", query.after)
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), arguments)
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
