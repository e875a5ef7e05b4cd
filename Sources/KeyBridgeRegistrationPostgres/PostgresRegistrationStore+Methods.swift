import Foundation
import KeyBridgeRegistration
import PostgresNIO

/// Security-info methods: the per-kind limit and the one default under the user's advisory lock,
/// single-use OTP steps and forward-only FIDO2 counters as conditional updates, unique
/// credentials by constraint.
extension PostgresRegistrationStore {
    public func methods(upn: String, tenant: String) async throws(RegistrationError) -> [RegisteredMethod] {
        let found = try await rows(
            """
            SELECT id, tenant, upn, kind, display_value, friendly_name, is_default, created, fido2::text, sign_count
            FROM methods WHERE tenant = \(tenant) AND upn = \(upn) ORDER BY created, seq
            """, "cannot read the methods of \(upn) in \(tenant)")
        return try found.map { row throws(RegistrationError) in try Self.method(row) }
    }

    public func addMethod(_ draft: MethodDraft, upn: String, tenant: String, sealedSecret: [UInt8]?)
        async throws(RegistrationError) -> RegisteredMethod
    {
        let kind = draft.methodKind
        // The returned method's time is made from the stored number, so it reads back equal.
        let created = Self.epoch(Date())
        let method = try Self.makeMethod(
            id: UUID().uuidString, tenant: tenant, upn: upn, kind: kind, displayValue: draft.displayValue,
            friendlyName: draft.friendlyName, fido2: nil, isDefault: false, created: Self.date(created))
        let secret = sealedSecret.map(Self.bytes)
        try await transaction("cannot add a \(kind.rawValue) method for \(upn) in \(tenant)") { connection in
            try await Self.lockUser(upn: upn, tenant: tenant, on: connection)
            if let maximum = kind.maximumPerUser {
                let counted = try await connection.run(
                    "SELECT COUNT(*) FROM methods WHERE tenant = \(tenant) AND upn = \(upn) AND kind = \(kind.rawValue)")
                let count = try counted.first?.decode(Int.self) ?? 0
                if count >= maximum { throw RegistrationError.limitReached(kind, maximum: maximum) }
            }
            try await connection.run(
                """
                INSERT INTO methods (id, tenant, upn, kind, display_value, friendly_name, is_default, created, secret)
                VALUES (\(method.id), \(tenant), \(upn), \(kind.rawValue), \(method.displayValue), \(method.friendlyName),
                        false, \(created), \(secret))
                """)
        }
        return method
    }

    public func otpState(methodID: String) async throws(RegistrationError) -> (sealedSecret: [UInt8], lastStep: UInt64?)? {
        let found = try await rows(
            "SELECT secret, otp_step FROM methods WHERE id = \(methodID)", "cannot read the OTP state of method \(methodID)")
        guard let row = found.first else { return nil }
        let (secret, step) = try Self.columns(row, (Data?, Int64?).self)
        guard let secret else { return nil }
        return ([UInt8](secret), step.map { UInt64(clamping: $0) })
    }

    public func advanceOTPStep(methodID: String, to step: UInt64) async throws(RegistrationError) -> Bool {
        let value = try Self.int64(step, "the time step")
        // One conditional update: of two servers accepting the same code, only one matches.
        let updated = try await rows(
            """
            UPDATE methods SET otp_step = \(value)
            WHERE id = \(methodID) AND (otp_step IS NULL OR otp_step < \(value)) RETURNING id
            """, "cannot record the time step of method \(methodID)")
        return !updated.isEmpty
    }

    public func addFIDO2Key(_ registration: VerifiedFIDO2Registration, audit: AuditEvent) async throws(RegistrationError)
        -> RegisteredMethod
    {
        let record = registration.record
        let created = Self.epoch(Date())
        let method = try Self.makeMethod(
            id: UUID().uuidString, tenant: registration.tenant, upn: registration.upn, kind: .fido2SecurityKey,
            displayValue: record.model ?? "Security key", friendlyName: registration.friendlyName, fido2: record,
            isDefault: false, created: Self.date(created))
        let document = try Self.json(record)
        let credentialID = Self.bytes(record.credentialID)
        let auditDocument = try Self.json(audit)
        try await transaction(
            "cannot add a security key for \(registration.upn) in \(registration.tenant)", uniqueViolation: .duplicateCredential
        ) { connection in
            // A concurrent insert of the same credential makes this one wait, then do nothing.
            let inserted = try await connection.run(
                """
                INSERT INTO methods (id, tenant, upn, kind, display_value, friendly_name, is_default, created,
                                     fido2, credential_id, sign_count)
                VALUES (\(method.id), \(method.tenant), \(method.upn), \(MethodKind.fido2SecurityKey.rawValue),
                        \(method.displayValue), \(method.friendlyName), false, \(created),
                        \(document)::jsonb, \(credentialID), \(Int64(record.signCount)))
                ON CONFLICT (tenant, credential_id) DO NOTHING RETURNING id
                """)
            if inserted.isEmpty { throw RegistrationError.duplicateCredential }
            try await Self.insertAudit(audit, document: auditDocument, on: connection)
        }
        return method
    }

    public func changeMethod(id: String, upn: String, tenant: String, displayValue: String) async throws(RegistrationError) {
        let updated = try await rows(
            """
            UPDATE methods SET display_value = \(displayValue)
            WHERE id = \(id) AND upn = \(upn) AND tenant = \(tenant) RETURNING id
            """, "cannot change method \(id)")
        if updated.isEmpty { throw .methodNotFound(id) }
    }

    public func deleteMethod(id: String, upn: String, tenant: String) async throws(RegistrationError) {
        let deleted = try await rows(
            "DELETE FROM methods WHERE id = \(id) AND upn = \(upn) AND tenant = \(tenant) RETURNING id",
            "cannot delete method \(id)")
        if deleted.isEmpty { throw .methodNotFound(id) }
    }

    public func setDefault(id: String, upn: String, tenant: String) async throws(RegistrationError) {
        try await transaction("cannot make method \(id) the default") { connection in
            try await Self.lockUser(upn: upn, tenant: tenant, on: connection)
            let found = try await connection.run(
                "SELECT id FROM methods WHERE id = \(id) AND upn = \(upn) AND tenant = \(tenant)")
            if found.isEmpty { throw RegistrationError.methodNotFound(id) }
            // Clear first: methods_one_default allows one default per user and tenant at any moment.
            try await connection.run(
                "UPDATE methods SET is_default = false WHERE tenant = \(tenant) AND upn = \(upn) AND is_default AND id <> \(id)")
            try await connection.run("UPDATE methods SET is_default = true WHERE id = \(id)")
        }
    }

    public func advanceSignCount(methodID: String, to count: UInt32) async throws(RegistrationError) -> Bool {
        let updated = try await rows(
            """
            UPDATE methods SET sign_count = \(Int64(count))
            WHERE id = \(methodID) AND kind = \(MethodKind.fido2SecurityKey.rawValue) AND sign_count < \(Int64(count))
            RETURNING id
            """, "cannot store the signature counter of method \(methodID)")
        if !updated.isEmpty { return true }
        let exists = try await rows(
            "SELECT id FROM methods WHERE id = \(methodID) AND kind = \(MethodKind.fido2SecurityKey.rawValue)",
            "cannot read method \(methodID)")
        if exists.isEmpty { throw .methodNotFound(methodID) }
        return false
    }

    // MARK: Helpers

    /// Takes the transaction-scoped lock of one user's methods in one tenant: concurrent adds and
    /// default changes for the same user, on any server, wait for each other.
    static func lockUser(upn: String, tenant: String, on connection: PostgresConnection) async throws {
        try await connection.run(
            "SELECT pg_advisory_xact_lock(\(AdvisoryLock.userMethods), hashtext(\(tenant) || '/' || \(upn)))")
    }

    /// The public model types have no public initializers: they are built through their Codable form.
    private struct MethodFields: Encodable {
        var id: String
        var tenant: String
        var upn: String
        var kind: MethodKind
        var displayValue: String
        var friendlyName: String?
        var fido2: FIDO2KeyRecord?
        var isDefault: Bool
        var created: Date
    }

    static func makeMethod(
        id: String, tenant: String, upn: String, kind: MethodKind, displayValue: String, friendlyName: String?,
        fido2: FIDO2KeyRecord?, isDefault: Bool, created: Date
    ) throws(RegistrationError) -> RegisteredMethod {
        let fields = MethodFields(
            id: id, tenant: tenant, upn: upn, kind: kind, displayValue: displayValue, friendlyName: friendlyName,
            fido2: fido2, isDefault: isDefault, created: created)
        do {
            return try JSONDecoder().decode(RegisteredMethod.self, from: JSONEncoder().encode(fields))
        } catch {
            throw .store("cannot build method \(id): \(error)")
        }
    }

    /// A method from `id, tenant, upn, kind, display_value, friendly_name, is_default, created,
    /// fido2::text, sign_count`.
    static func method(_ row: PostgresRow) throws(RegistrationError) -> RegisteredMethod {
        let (id, tenant, upn, kindName, displayValue, friendlyName, isDefault, created, fido2JSON, signCount) =
            try columns(row, (String, String, String, String, String, String?, Bool, Double, String?, Int64?).self)
        guard let kind = MethodKind(rawValue: kindName) else { throw .store("method \(id) has an unknown kind \(kindName)") }
        var record = try fido2JSON.map { text throws(RegistrationError) in try decode(FIDO2KeyRecord.self, text) }
        if let signCount { record?.signCount = UInt32(clamping: signCount) }
        return try makeMethod(
            id: id, tenant: tenant, upn: upn, kind: kind, displayValue: displayValue, friendlyName: friendlyName,
            fido2: record, isDefault: isDefault, created: date(created))
    }
}
