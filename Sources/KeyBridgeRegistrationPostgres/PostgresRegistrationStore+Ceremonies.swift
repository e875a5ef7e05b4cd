import Foundation
import KeyBridgeRegistration
import PostgresNIO

/// Single-use state: challenges (`DELETE … RETURNING`), Temporary Access Passes (a conditional
/// `UPDATE … RETURNING`), and the wrong-code counter.
extension PostgresRegistrationStore {
    // MARK: Challenges

    public func saveChallenge(_ challenge: [UInt8], upn: String, tenant: String, expires: Date, ceremony: [UInt8]?)
        async throws(RegistrationError)
    {
        let now = Self.epoch(Date())
        try await transaction("cannot save a challenge for \(upn) in \(tenant)") { connection in
            // Challenges never answered would pile up: drop the expired ones with each new one.
            try await connection.run("DELETE FROM challenges WHERE expires < \(now)")
            try await connection.run(
                """
                INSERT INTO challenges (challenge, tenant, upn, expires, ceremony)
                VALUES (\(Self.bytes(challenge)), \(tenant), \(upn), \(Self.epoch(expires)), \(ceremony.map(Self.bytes)))
                """)
        }
    }

    public func consumeChallenge(_ challenge: [UInt8], upn: String, tenant: String) async throws(RegistrationError)
        -> StoredChallenge?
    {
        // The delete is the check: of concurrent callers, only one gets the row back.
        let deleted = try await rows(
            """
            DELETE FROM challenges WHERE challenge = \(Self.bytes(challenge)) AND upn = \(upn) AND tenant = \(tenant)
            RETURNING expires, ceremony
            """, "cannot consume a challenge of \(upn) in \(tenant)")
        guard let row = deleted.first else { return nil }
        let (expires, ceremony) = try Self.columns(row, (Double, Data?).self)
        return StoredChallenge(expires: Self.date(expires), ceremony: ceremony.map { [UInt8]($0) })
    }

    // MARK: Temporary Access Passes

    public func save(pass: StoredAccessPass) async throws(RegistrationError) {
        let json = try Self.json(pass)
        _ = try await rows(
            """
            INSERT INTO access_passes (id, tenant, upn, used, document)
            VALUES (\(pass.id), \(pass.tenant), \(pass.upn), \(pass.used), \(json)::jsonb)
            """, "cannot save a Temporary Access Pass for \(pass.upn) in \(pass.tenant)")
    }

    public func passes(upn: String, tenant: String) async throws(RegistrationError) -> [StoredAccessPass] {
        let found = try await rows(
            "SELECT document::text, used FROM access_passes WHERE tenant = \(tenant) AND upn = \(upn) ORDER BY seq",
            "cannot read the Temporary Access Passes of \(upn) in \(tenant)")
        return try found.map { row throws(RegistrationError) in
            let (json, used) = try Self.columns(row, (String, Bool).self)
            var pass = try Self.decode(StoredAccessPass.self, json)
            pass.used = used
            return pass
        }
    }

    public func markPassUsed(id: String) async throws(RegistrationError) -> Bool {
        let updated = try await rows(
            "UPDATE access_passes SET used = true WHERE id = \(id) AND NOT used RETURNING id",
            "cannot use Temporary Access Pass \(id)")
        return !updated.isEmpty
    }

    public func deletePass(id: String) async throws(RegistrationError) -> Bool {
        let deleted = try await rows(
            "DELETE FROM access_passes WHERE id = \(id) RETURNING id", "cannot delete Temporary Access Pass \(id)")
        return !deleted.isEmpty
    }

    // MARK: Wrong-code counting

    public func recordFailedAttempt(key: String, time: Date) async throws(RegistrationError) {
        _ = try await rows(
            "INSERT INTO failed_attempts (key, time) VALUES (\(key), \(Self.epoch(time)))", "cannot record a wrong code")
    }

    public func failedAttempts(key: String, since: Date) async throws(RegistrationError) -> Int {
        let counted = try await rows(
            "SELECT COUNT(*) FROM failed_attempts WHERE key = \(key) AND time > \(Self.epoch(since))",
            "cannot count wrong codes")
        return try counted.first.map { row throws(RegistrationError) in try Self.column(row, Int.self) } ?? 0
    }

    public func clearFailedAttempts(key: String) async throws(RegistrationError) {
        _ = try await rows("DELETE FROM failed_attempts WHERE key = \(key)", "cannot clear wrong codes")
    }
}
