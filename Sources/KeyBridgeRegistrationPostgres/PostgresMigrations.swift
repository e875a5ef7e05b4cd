import Foundation
import KeyBridgeRegistration
import PostgresNIO

/// The schema, as numbered migrations recorded in `keybridge_schema_migrations`.
///
/// Conventions: times are `DOUBLE PRECISION` seconds since 1970 (as in the SQLite store, so a
/// time reads back exactly as it was written); byte strings are `BYTEA`; documents the store
/// does not query into are `JSONB`; keys that lists are ordered by are `COLLATE "C"` (byte
/// order, the same as SQLite's). Every query of the store is served by an index.
enum PostgresMigrations {
    struct Migration {
        var version: Int
        var name: String
        var statements: [String]
        /// Work SQL alone cannot do (values computed in Swift), run after `statements` in the same transaction.
        var backfill: (@Sendable (PostgresConnection) async throws -> Void)? = nil
    }

    static let all: [Migration] = [
        Migration(
            version: 1, name: "directory, methods, ceremonies, tokens, passes, attempts, API tokens, audit",
            statements: [
                """
                CREATE TABLE tenants (
                    id TEXT COLLATE "C" PRIMARY KEY,
                    name TEXT NOT NULL,
                    configuration JSONB)
                """,
                """
                CREATE TABLE users (
                    upn TEXT COLLATE "C" PRIMARY KEY,
                    home_tenant TEXT NOT NULL,
                    document JSONB NOT NULL)
                """,
                // Memberships (home and guest), so users(tenant:) reads only the tenant's users.
                """
                CREATE TABLE user_tenants (
                    tenant TEXT COLLATE "C" NOT NULL,
                    upn TEXT COLLATE "C" NOT NULL REFERENCES users (upn) ON DELETE CASCADE,
                    PRIMARY KEY (tenant, upn))
                """,
                "CREATE INDEX user_tenants_by_user ON user_tenants (upn)",
                """
                CREATE TABLE methods (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
                    id TEXT PRIMARY KEY,
                    tenant TEXT NOT NULL,
                    upn TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    display_value TEXT NOT NULL,
                    friendly_name TEXT,
                    is_default BOOLEAN NOT NULL DEFAULT false,
                    created DOUBLE PRECISION NOT NULL,
                    secret BYTEA,
                    otp_step BIGINT,
                    fido2 JSONB,
                    credential_id BYTEA,
                    sign_count BIGINT,
                    CONSTRAINT methods_unique_credential UNIQUE (tenant, credential_id),
                    CONSTRAINT methods_fido2_columns CHECK (
                        (kind = 'fido2SecurityKey') = (credential_id IS NOT NULL AND fido2 IS NOT NULL AND sign_count IS NOT NULL)))
                """,
                "CREATE INDEX methods_by_user ON methods (tenant, upn, kind)",
                "CREATE UNIQUE INDEX methods_one_default ON methods (tenant, upn) WHERE is_default",
                """
                CREATE TABLE challenges (
                    challenge BYTEA PRIMARY KEY,
                    tenant TEXT NOT NULL,
                    upn TEXT NOT NULL,
                    expires DOUBLE PRECISION NOT NULL,
                    ceremony BYTEA)
                """,
                "CREATE INDEX challenges_by_expiry ON challenges (expires)",
                """
                CREATE TABLE hardware_tokens (
                    tenant TEXT COLLATE "C" NOT NULL,
                    serial TEXT COLLATE "C" NOT NULL,
                    upn TEXT NOT NULL,
                    method_id TEXT,
                    document JSONB NOT NULL,
                    PRIMARY KEY (tenant, serial))
                """,
                """
                CREATE TABLE access_passes (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
                    id TEXT PRIMARY KEY,
                    tenant TEXT NOT NULL,
                    upn TEXT NOT NULL,
                    used BOOLEAN NOT NULL DEFAULT false,
                    document JSONB NOT NULL)
                """,
                "CREATE INDEX access_passes_by_user ON access_passes (tenant, upn, seq)",
                """
                CREATE TABLE failed_attempts (
                    key TEXT NOT NULL,
                    time DOUBLE PRECISION NOT NULL)
                """,
                "CREATE INDEX failed_attempts_by_key ON failed_attempts (key, time)",
                """
                CREATE TABLE api_tokens (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
                    id TEXT PRIMARY KEY,
                    tenant TEXT,
                    created DOUBLE PRECISION NOT NULL,
                    document JSONB NOT NULL)
                """,
                "CREATE INDEX api_tokens_by_tenant ON api_tokens (tenant, created, seq)",
                "CREATE INDEX api_tokens_by_age ON api_tokens (created, seq)",
                """
                CREATE TABLE audit (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    tenant TEXT NOT NULL,
                    upn TEXT NOT NULL,
                    action TEXT NOT NULL,
                    failure BOOLEAN NOT NULL,
                    time DOUBLE PRECISION NOT NULL,
                    document JSONB NOT NULL)
                """,
                "CREATE INDEX audit_by_tenant ON audit (tenant, seq)",
                "CREATE INDEX audit_by_user ON audit (tenant, upn, seq)",
                "CREATE INDEX audit_by_time ON audit (time, seq)",
            ]),
        Migration(
            version: 2, name: "user sessions",
            statements: [
                """
                CREATE TABLE user_sessions (
                    id TEXT PRIMARY KEY,
                    tenant TEXT NOT NULL,
                    upn TEXT NOT NULL,
                    last_seen DOUBLE PRECISION NOT NULL,
                    idle DOUBLE PRECISION NOT NULL,
                    expires DOUBLE PRECISION NOT NULL,
                    document JSONB NOT NULL)
                """,
                "CREATE INDEX user_sessions_by_end ON user_sessions (expires)",
                "CREATE INDEX user_sessions_by_idle_end ON user_sessions ((last_seen + idle))",
                "CREATE INDEX user_sessions_by_user ON user_sessions (tenant, upn)",
            ]),
        Migration(
            version: 3, name: "user object ids",
            statements: ["ALTER TABLE users ADD COLUMN object_id TEXT"],
            backfill: { connection in
                // The ids are derived from the UPNs in Swift (Unicode lower-casing and SHA-256),
                // so existing users are filled in here, in batches.
                let upns = try await connection.run("SELECT upn FROM users").map { try $0.decode(String.self) }
                var start = 0
                while start < upns.count {
                    let batch = Array(upns[start..<min(start + 10_000, upns.count)])
                    let ids = batch.map { DirectoryUser.objectID(upn: $0) }
                    try await connection.run(
                        """
                        UPDATE users SET object_id = v.id FROM unnest(\(batch)::text[], \(ids)::text[]) AS v(upn, id)
                        WHERE users.upn = v.upn
                        """)
                    start += batch.count
                }
                try await connection.run("CREATE INDEX users_by_object_id ON users (object_id, upn)")
            }),
        Migration(
            version: 4, name: "FIDO metadata",
            statements: [
                "CREATE TABLE metadata (id INTEGER PRIMARY KEY CHECK (id = 1), serial BIGINT NOT NULL, summary JSONB NOT NULL)",
                """
                CREATE TABLE metadata_entries (
                    aaguid TEXT PRIMARY KEY, description TEXT, certification_level TEXT, latest_status TEXT, json TEXT NOT NULL)
                """,
            ]),
    ]

    static var latestVersion: Int { all.map(\.version).max() ?? 0 }

    /// Applies the missing migrations in one transaction under the migration lock; returns the
    /// version in place afterwards.
    static func run(on connection: PostgresConnection) async throws -> Int {
        try await connection.run("BEGIN")
        do {
            try await connection.run("SELECT pg_advisory_xact_lock(\(AdvisoryLock.migrations))")
            try await connection.run(
                """
                CREATE TABLE IF NOT EXISTS keybridge_schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied DOUBLE PRECISION NOT NULL)
                """)
            var applied: Set<Int> = []
            for row in try await connection.run("SELECT version FROM keybridge_schema_migrations") {
                applied.insert(try row.decode(Int.self))
            }
            for migration in all where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.run(PostgresQuery(unsafeSQL: statement))
                }
                try await migration.backfill?(connection)
                try await connection.run(
                    """
                    INSERT INTO keybridge_schema_migrations (version, name, applied)
                    VALUES (\(migration.version), \(migration.name), \(Date().timeIntervalSince1970))
                    """)
                applied.insert(migration.version)
            }
            try await connection.run("COMMIT")
            return applied.max() ?? 0
        } catch {
            _ = try? await connection.run("ROLLBACK")
            throw error
        }
    }

    /// The highest applied version; 0 when the database has no keybridge schema.
    static func version(on connection: PostgresConnection) async throws -> Int {
        let exists = try await connection.run(
            "SELECT to_regclass('keybridge_schema_migrations') IS NOT NULL")
        guard try exists.first?.decode(Bool.self) == true else { return 0 }
        let rows = try await connection.run(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM keybridge_schema_migrations")
        return try rows.first?.decode(Int.self) ?? 0
    }
}
