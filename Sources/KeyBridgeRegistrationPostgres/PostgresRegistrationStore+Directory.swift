import Foundation
import KeyBridgeRegistration
import PostgresNIO

/// Tenants, their configurations, and users with their memberships.
extension PostgresRegistrationStore {
    public func save(tenant: Tenant) async throws(RegistrationError) {
        _ = try await rows(
            """
            INSERT INTO tenants (id, name) VALUES (\(tenant.id), \(tenant.name))
            ON CONFLICT (id) DO UPDATE SET name = excluded.name
            """, "cannot save tenant \(tenant.id)")
    }

    public func tenants() async throws(RegistrationError) -> [Tenant] {
        try await rows("SELECT id, name FROM tenants ORDER BY id", "cannot read the tenants").map {
            row throws(RegistrationError) in
            let (id, name) = try Self.columns(row, (String, String).self)
            return Tenant(id: id, name: name)
        }
    }

    public func save(configuration: TenantConfiguration, tenant: String) async throws(RegistrationError) {
        let json = try Self.json(configuration)
        let updated = try await rows(
            "UPDATE tenants SET configuration = \(json)::jsonb WHERE id = \(tenant) RETURNING id",
            "cannot save the configuration of tenant \(tenant)")
        if updated.isEmpty { throw .tenantNotFound(tenant) }
    }

    public func configuration(tenant: String) async throws(RegistrationError) -> TenantConfiguration? {
        let found = try await rows(
            "SELECT configuration::text FROM tenants WHERE id = \(tenant)", "cannot read the configuration of tenant \(tenant)")
        guard let row = found.first, let json = try Self.column(row, String?.self) else { return nil }
        return try Self.decode(TenantConfiguration.self, json)
    }

    public func save(user: DirectoryUser) async throws(RegistrationError) {
        let json = try Self.json(user)
        // Home first, then guests, without repeats (a guest entry may name the home tenant).
        var memberships: [String] = []
        for tenant in [user.homeTenant] + user.guestTenants where !memberships.contains(tenant) { memberships.append(tenant) }
        try await transaction("cannot save user \(user.upn)") { connection in
            // The upsert locks the user's row: a concurrent save of the same user waits here.
            try await connection.run(
                """
                INSERT INTO users (upn, home_tenant, document, object_id)
                VALUES (\(user.upn), \(user.homeTenant), \(json)::jsonb, \(user.objectID))
                ON CONFLICT (upn) DO UPDATE SET home_tenant = excluded.home_tenant, document = excluded.document,
                    object_id = excluded.object_id
                """)
            try await connection.run("DELETE FROM user_tenants WHERE upn = \(user.upn)")
            try await connection.run(
                "INSERT INTO user_tenants (tenant, upn) SELECT unnest(\(memberships)::text[]), \(user.upn)")
        }
    }

    public func user(upn: String) async throws(RegistrationError) -> DirectoryUser? {
        let found = try await rows("SELECT document::text FROM users WHERE upn = \(upn)", "cannot read user \(upn)")
        guard let row = found.first else { return nil }
        return try Self.decode(DirectoryUser.self, Self.column(row, String.self))
    }

    public func user(objectID: String) async throws(RegistrationError) -> DirectoryUser? {
        let found = try await rows(
            "SELECT document::text FROM users WHERE object_id = \(objectID.lowercased()) ORDER BY upn LIMIT 1",
            "cannot read user \(objectID)")
        guard let row = found.first else { return nil }
        return try Self.decode(DirectoryUser.self, Self.column(row, String.self))
    }

    public func users(tenant: String?) async throws(RegistrationError) -> [DirectoryUser] {
        let found: [PostgresRow]
        if let tenant {
            // The membership table's primary key (tenant, upn) gives the tenant's users in order.
            found = try await rows(
                """
                SELECT u.document::text FROM user_tenants m JOIN users u ON u.upn = m.upn
                WHERE m.tenant = \(tenant) ORDER BY m.upn
                """, "cannot read the users of tenant \(tenant)")
        } else {
            found = try await rows("SELECT document::text FROM users ORDER BY upn", "cannot read the users")
        }
        return try found.map { row throws(RegistrationError) in
            try Self.decode(DirectoryUser.self, Self.column(row, String.self))
        }
    }
}
