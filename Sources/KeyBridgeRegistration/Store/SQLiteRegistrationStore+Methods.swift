import Foundation
import GRDB

extension SQLiteRegistrationStore {
    public func methods(upn: String, tenant: String) async throws(RegistrationError) -> [RegisteredMethod] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM methods WHERE tenant = ? AND upn = ? ORDER BY created", arguments: [tenant, upn])
                .map(SQLiteRecords.method)
        }
    }

    public func addMethod(_ draft: MethodDraft, upn: String, tenant: String, sealedSecret: [UInt8]?)
        async throws(RegistrationError) -> RegisteredMethod
    {
        let kind = draft.methodKind
        let method = RegisteredMethod(
            id: UUID().uuidString, tenant: tenant, upn: upn, kind: kind, displayValue: draft.displayValue,
            friendlyName: draft.friendlyName, fido2: nil, isDefault: false, created: Date())
        try await write { db in
            // SQLite has one writer at a time: the count and the insert cannot interleave with another add.
            if let maximum = kind.maximumPerUser {
                let count = try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM methods WHERE tenant = ? AND upn = ? AND kind = ?",
                    arguments: [tenant, upn, kind.rawValue]) ?? 0
                if count >= maximum { throw RegistrationError.limitReached(kind, maximum: maximum) }
            }
            try SQLiteRecords.insert(method, sealedSecret: sealedSecret, db)
        }
        return method
    }

    public func otpState(methodID: String) async throws(RegistrationError) -> (sealedSecret: [UInt8], lastStep: UInt64?)? {
        let state: OTPState? = try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT secret, otp_step FROM methods WHERE id = ?", arguments: [methodID]),
                let secret = row["secret"] as Data?
            else { return nil }
            return OTPState(sealedSecret: [UInt8](secret), lastStep: (row["otp_step"] as Int64?).map { UInt64($0) })
        }
        return state.map { ($0.sealedSecret, $0.lastStep) }
    }

    public func advanceOTPStep(methodID: String, to step: UInt64) async throws(RegistrationError) -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE methods SET otp_step = ? WHERE id = ? AND (otp_step IS NULL OR otp_step < ?)",
                arguments: [Int64(step), methodID, Int64(step)])
            return db.changesCount == 1
        }
    }

    public func addFIDO2Key(_ registration: VerifiedFIDO2Registration, audit: AuditEvent) async throws(RegistrationError)
        -> RegisteredMethod
    {
        let method = RegisteredMethod(
            id: UUID().uuidString, tenant: registration.tenant, upn: registration.upn, kind: .fido2SecurityKey,
            displayValue: registration.record.model ?? "Security key", friendlyName: registration.friendlyName,
            fido2: registration.record, isDefault: false, created: Date())
        try await write { db in
            let existing = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM methods WHERE tenant = ? AND credential_id = ?",
                arguments: [registration.tenant, hex(registration.record.credentialID)]) ?? 0
            if existing > 0 { throw RegistrationError.duplicateCredential }
            try SQLiteRecords.insert(method, sealedSecret: nil, db)
            try SQLiteRecords.insert(audit: audit, db)
        }
        return method
    }

    public func changeMethod(id: String, upn: String, tenant: String, displayValue: String) async throws(RegistrationError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE methods SET display_value = ? WHERE id = ? AND upn = ? AND tenant = ?",
                arguments: [displayValue, id, upn, tenant])
            if db.changesCount == 0 { throw RegistrationError.methodNotFound(id) }
        }
    }

    public func deleteMethod(id: String, upn: String, tenant: String) async throws(RegistrationError) {
        try await write { db in
            try db.execute(sql: "DELETE FROM methods WHERE id = ? AND upn = ? AND tenant = ?", arguments: [id, upn, tenant])
            if db.changesCount == 0 { throw RegistrationError.methodNotFound(id) }
        }
    }

    public func setDefault(id: String, upn: String, tenant: String) async throws(RegistrationError) {
        try await write { db in
            let exists = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM methods WHERE id = ? AND upn = ? AND tenant = ?", arguments: [id, upn, tenant]) ?? false
            guard exists else { throw RegistrationError.methodNotFound(id) }
            try db.execute(sql: "UPDATE methods SET is_default = (id = ?) WHERE upn = ? AND tenant = ?", arguments: [id, upn, tenant])
        }
    }

    public func advanceSignCount(methodID: String, to count: UInt32) async throws(RegistrationError) -> Bool {
        try await write { db in
            guard let data = try Data.fetchOne(db, sql: "SELECT fido2 FROM methods WHERE id = ?", arguments: [methodID]) else {
                throw RegistrationError.methodNotFound(methodID)
            }
            var record = try JSONDecoder().decode(FIDO2KeyRecord.self, from: data)
            guard count > record.signCount else { return false }
            record.signCount = count
            try db.execute(sql: "UPDATE methods SET fido2 = ? WHERE id = ?", arguments: [try JSONEncoder().encode(record), methodID])
            return true
        }
    }
}

private struct OTPState: Sendable {
    var sealedSecret: [UInt8]
    var lastStep: UInt64?
}
