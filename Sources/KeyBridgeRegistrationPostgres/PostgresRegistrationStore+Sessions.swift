import Foundation
import KeyBridgeRegistration
import PostgresNIO

/// User sessions: one row each; `last_seen` is the column's truth (the document's copy is the sign-in time).
extension PostgresRegistrationStore {
    public func save(userSession: StoredUserSession) async throws(RegistrationError) {
        let json = try Self.json(userSession)
        _ = try await rows(
            """
            INSERT INTO user_sessions (id, tenant, upn, last_seen, idle, expires, document)
            VALUES (\(userSession.id), \(userSession.tenant), \(userSession.upn), \(Self.epoch(userSession.lastSeen)),
                    \(userSession.idleTimeout), \(Self.epoch(userSession.expires)), \(json)::jsonb)
            """, "cannot save the session of \(userSession.upn)",
            uniqueViolation: .alreadyExists("session \(userSession.id)"))
    }

    public func userSession(id: String) async throws(RegistrationError) -> StoredUserSession? {
        let found = try await rows(
            "SELECT document::text, last_seen FROM user_sessions WHERE id = \(id)", "cannot read session \(id)")
        return try found.first.map { row throws(RegistrationError) in
            let (json, lastSeen) = try Self.columns(row, (String, Double).self)
            var session = try Self.decode(StoredUserSession.self, json)
            session.lastSeen = Self.date(lastSeen)
            return session
        }
    }

    public func touchUserSession(id: String, lastSeen: Date) async throws(RegistrationError) -> Bool {
        let updated = try await rows(
            """
            UPDATE user_sessions SET last_seen = GREATEST(last_seen, \(Self.epoch(lastSeen))) WHERE id = \(id) RETURNING id
            """, "cannot touch session \(id)")
        return !updated.isEmpty
    }

    public func deleteUserSession(id: String) async throws(RegistrationError) -> Bool {
        let deleted = try await rows("DELETE FROM user_sessions WHERE id = \(id) RETURNING id", "cannot end session \(id)")
        return !deleted.isEmpty
    }

    public func deleteEndedUserSessions(now: Date) async throws(RegistrationError) -> Int {
        let time = Self.epoch(now)
        let deleted = try await rows(
            "DELETE FROM user_sessions WHERE expires <= \(time) OR last_seen + idle <= \(time) RETURNING id",
            "cannot remove ended sessions")
        return deleted.count
    }

    public func deleteUserSessions(upn: String, tenant: String) async throws(RegistrationError) -> Int {
        let deleted = try await rows(
            "DELETE FROM user_sessions WHERE tenant = \(tenant) AND upn = \(upn) RETURNING id", "cannot end the sessions of \(upn)")
        return deleted.count
    }
}
