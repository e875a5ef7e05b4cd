import Foundation
import KeyBridgeRegistration
import PostgresNIO

/// Hardware-token inventory and API tokens.
extension PostgresRegistrationStore {
    // MARK: Hardware tokens

    public func save(token: HardwareToken) async throws(RegistrationError) {
        let json = try Self.json(token)
        let exists = RegistrationError.alreadyExists("token \(token.serial) in \(token.tenant)")
        let inserted = try await rows(
            """
            INSERT INTO hardware_tokens (tenant, serial, upn, method_id, document)
            VALUES (\(token.tenant), \(token.serial), \(token.upn), \(token.activatedMethodID), \(json)::jsonb)
            ON CONFLICT (tenant, serial) DO NOTHING RETURNING serial
            """, "cannot save token \(token.serial) in \(token.tenant)", uniqueViolation: exists)
        if inserted.isEmpty { throw exists }
    }

    public func save(tokens: [HardwareToken]) async throws(RegistrationError) {
        let documents = try tokens.map { token throws(RegistrationError) in try Self.json(token) }
        try await transaction("cannot save \(tokens.count) tokens") { connection in
            // In batches of a thousand rows per statement; a serial already there stops the whole import.
            var start = 0
            while start < tokens.count {
                let end = min(start + 1000, tokens.count)
                let batch = tokens[start..<end]
                let inserted = try await connection.run(
                    """
                    INSERT INTO hardware_tokens (tenant, serial, upn, method_id, document)
                    SELECT t, s, u, NULLIF(m, ''), d FROM unnest(\(batch.map(\.tenant))::text[], \(batch.map(\.serial))::text[],
                        \(batch.map(\.upn))::text[], \(batch.map { $0.activatedMethodID ?? "" })::text[],
                        \(Array(documents[start..<end]))::jsonb[]) AS x(t, s, u, m, d)
                    ON CONFLICT (tenant, serial) DO NOTHING RETURNING serial
                    """)
                if inserted.count < batch.count {
                    let stored = Set(try inserted.map { try $0.decode(String.self) })
                    let first = batch.first { !stored.contains($0.serial) }
                    throw RegistrationError.alreadyExists("token \(first?.serial ?? "?") in \(first?.tenant ?? "?")")
                }
                start = end
            }
        }
    }

    public func token(serial: String, tenant: String) async throws(RegistrationError) -> HardwareToken? {
        let found = try await rows(
            "SELECT document::text, method_id FROM hardware_tokens WHERE tenant = \(tenant) AND serial = \(serial)",
            "cannot read token \(serial) in \(tenant)")
        return try found.first.map { row throws(RegistrationError) in try Self.token(row) }
    }

    public func tokens(tenant: String) async throws(RegistrationError) -> [HardwareToken] {
        let found = try await rows(
            "SELECT document::text, method_id FROM hardware_tokens WHERE tenant = \(tenant) ORDER BY serial",
            "cannot read the tokens of \(tenant)")
        return try found.map { row throws(RegistrationError) in try Self.token(row) }
    }

    public func assignToken(serial: String, tenant: String, methodID: String?) async throws(RegistrationError) {
        _ = try await rows(
            "UPDATE hardware_tokens SET method_id = \(methodID) WHERE tenant = \(tenant) AND serial = \(serial)",
            "cannot assign token \(serial) in \(tenant)")
    }

    /// A token from `document::text, method_id` (the column is the truth for the activation).
    static func token(_ row: PostgresRow) throws(RegistrationError) -> HardwareToken {
        let (json, methodID) = try columns(row, (String, String?).self)
        var token = try decode(HardwareToken.self, json)
        token.activatedMethodID = methodID
        return token
    }

    // MARK: API tokens

    public func save(apiToken: StoredAPIToken) async throws(RegistrationError) {
        let json = try Self.json(apiToken)
        _ = try await rows(
            """
            INSERT INTO api_tokens (id, tenant, created, document)
            VALUES (\(apiToken.id), \(apiToken.tenant), \(Self.epoch(apiToken.created)), \(json)::jsonb)
            ON CONFLICT (id) DO UPDATE SET tenant = excluded.tenant, created = excluded.created, document = excluded.document
            """, "cannot save API token \(apiToken.id)")
    }

    public func apiToken(id: String) async throws(RegistrationError) -> StoredAPIToken? {
        let found = try await rows("SELECT document::text FROM api_tokens WHERE id = \(id)", "cannot read API token \(id)")
        return try found.first.map { row throws(RegistrationError) in
            try Self.decode(StoredAPIToken.self, Self.column(row, String.self))
        }
    }

    public func apiTokens(tenant: String?) async throws(RegistrationError) -> [StoredAPIToken] {
        let found: [PostgresRow]
        if let tenant {
            found = try await rows(
                "SELECT document::text FROM api_tokens WHERE tenant = \(tenant) ORDER BY created, seq",
                "cannot read the API tokens of \(tenant)")
        } else {
            found = try await rows("SELECT document::text FROM api_tokens ORDER BY created, seq", "cannot read the API tokens")
        }
        return try found.map { row throws(RegistrationError) in
            try Self.decode(StoredAPIToken.self, Self.column(row, String.self))
        }
    }
}
