import Foundation
import GRDB

/// The embedded directory's schema, one migration per step (GRDB records which ran).
enum SQLiteMigrations {
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
        migrator.registerMigration("v6 server-shaped queries, ceremonies and API tokens") { db in
            try db.execute(
                sql: """
                    CREATE TABLE user_tenants (upn TEXT NOT NULL, tenant TEXT NOT NULL, PRIMARY KEY (tenant, upn));
                    CREATE INDEX user_tenants_by_user ON user_tenants (upn);
                    ALTER TABLE challenges ADD COLUMN ceremony BLOB;
                    CREATE INDEX challenges_by_expiry ON challenges (expires);
                    ALTER TABLE audit ADD COLUMN action TEXT NOT NULL DEFAULT '';
                    ALTER TABLE audit ADD COLUMN failed INTEGER NOT NULL DEFAULT 0;
                    UPDATE audit SET action = json_extract(CAST(json AS TEXT), '$.action'),
                        failed = (json_extract(CAST(json AS TEXT), '$.outcome') = 'failure');
                    CREATE INDEX audit_by_tenant ON audit (tenant, id);
                    CREATE INDEX audit_by_user ON audit (tenant, upn, id);
                    CREATE INDEX audit_by_time ON audit (time);
                    CREATE TABLE api_tokens (id TEXT PRIMARY KEY, tenant TEXT, created DOUBLE NOT NULL, json BLOB NOT NULL);
                    CREATE INDEX api_tokens_by_tenant ON api_tokens (tenant, created);
                    """)
            // Memberships were inside each user's JSON; the index table is filled from it.
            for row in try Row.fetchAll(db, sql: "SELECT json FROM users") {
                let user = try JSONDecoder().decode(DirectoryUser.self, from: row["json"] as Data)
                try SQLiteRecords.insertMemberships(of: user, db)
            }
        }
        migrator.registerMigration("v7 user sessions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE user_sessions (
                        id TEXT PRIMARY KEY, upn TEXT NOT NULL, tenant TEXT NOT NULL,
                        last_seen DOUBLE NOT NULL, idle DOUBLE NOT NULL, expires DOUBLE NOT NULL, json BLOB NOT NULL);
                    CREATE INDEX user_sessions_by_end ON user_sessions (expires);
                    CREATE INDEX user_sessions_by_idle_end ON user_sessions ((last_seen + idle));
                    CREATE INDEX user_sessions_by_user ON user_sessions (tenant, upn);
                    """)
        }
        migrator.registerMigration("v8 user object ids") { db in
            try db.execute(sql: "ALTER TABLE users ADD COLUMN object_id TEXT")
            for row in try Row.fetchAll(db, sql: "SELECT upn FROM users") {
                let upn: String = row["upn"]
                try db.execute(
                    sql: "UPDATE users SET object_id = ? WHERE upn = ?", arguments: [DirectoryUser.objectID(upn: upn), upn])
            }
            try db.execute(sql: "CREATE INDEX users_by_object_id ON users (object_id, upn)")
        }
        migrator.registerMigration("v9 FIDO metadata") { db in
            try db.execute(
                sql: """
                    CREATE TABLE metadata (id INTEGER PRIMARY KEY CHECK (id = 1), serial INTEGER NOT NULL, summary BLOB NOT NULL);
                    CREATE TABLE metadata_entries (
                        aaguid TEXT PRIMARY KEY, description TEXT, certification_level TEXT, latest_status TEXT, json BLOB NOT NULL);
                    """)
        }
        return migrator
    }
}

extension SQLiteRegistrationStore {
    /// Migrates the existing directory file at `path` and returns its newest migration's name.
    /// Throws when there is no file there (it never creates one).
    public static func migrate(path: String) throws(RegistrationError) -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw .store("there is no directory at \(path); create it with `keybridge admin tenant add` or pass --directory")
        }
        let store = try SQLiteRegistrationStore(path: path)
        do {
            let applied = try store.writer.read { db in try SQLiteMigrations.migrator.appliedIdentifiers(db) }
            return SQLiteMigrations.migrator.migrations.last { applied.contains($0) } ?? "none"
        } catch {
            throw .store("cannot read the schema version of \(path): \(error)")
        }
    }
}
