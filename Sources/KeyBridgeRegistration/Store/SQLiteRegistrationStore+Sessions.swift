import Foundation
import GRDB

/// User sessions: the record as JSON, with the columns that expiry and touching need.
extension SQLiteRegistrationStore {
    public func save(userSession: StoredUserSession) async throws(RegistrationError) {
        let json = try encode(userSession)
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM user_sessions WHERE id = ?", arguments: [userSession.id]) == true {
                throw RegistrationError.alreadyExists("session \(userSession.id)")
            }
            try db.execute(
                sql: """
                    INSERT INTO user_sessions (id, upn, tenant, last_seen, idle, expires, json) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    userSession.id, userSession.upn, userSession.tenant, userSession.lastSeen.timeIntervalSince1970,
                    userSession.idleTimeout, userSession.expires.timeIntervalSince1970, json,
                ])
        }
    }

    public func userSession(id: String) async throws(RegistrationError) -> StoredUserSession? {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT last_seen, json FROM user_sessions WHERE id = ?", arguments: [id]) else {
                return nil
            }
            var session = try JSONDecoder().decode(StoredUserSession.self, from: row["json"] as Data)
            session.lastSeen = Date(timeIntervalSince1970: row["last_seen"])
            return session
        }
    }

    public func touchUserSession(id: String, lastSeen: Date) async throws(RegistrationError) -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE user_sessions SET last_seen = MAX(last_seen, ?) WHERE id = ?", arguments: [lastSeen.timeIntervalSince1970, id])
            return db.changesCount == 1
        }
    }

    public func deleteUserSession(id: String) async throws(RegistrationError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM user_sessions WHERE id = ?", arguments: [id])
            return db.changesCount == 1
        }
    }

    public func deleteEndedUserSessions(now: Date) async throws(RegistrationError) -> Int {
        try await write { db in
            let time = now.timeIntervalSince1970
            try db.execute(sql: "DELETE FROM user_sessions WHERE expires <= ? OR last_seen + idle <= ?", arguments: [time, time])
            return db.changesCount
        }
    }

    public func deleteUserSessions(upn: String, tenant: String) async throws(RegistrationError) -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM user_sessions WHERE tenant = ? AND upn = ?", arguments: [tenant, upn])
            return db.changesCount
        }
    }
}
