import Foundation

extension RegistrationService {
    /// An admin records a user's phone number or e-mail address (as directory admins can); other
    /// methods need the user and their own verification flow. Audited with actor `admin`.
    public func adminAddContact(_ draft: MethodDraft, upn: String, tenant: String, admin: String, client: ClientContext)
        async throws(RegistrationError) -> RegisteredMethod
    {
        do throws(RegistrationError) {
            guard [.phone, .alternatePhone, .officePhone, .email].contains(draft.kind) else { throw .cannotRegister(draft.methodKind) }
            guard let user = try await store.user(upn: upn) else { throw .userNotFound(upn) }
            guard user.isMember(of: tenant) else { throw .notAMember(tenant: tenant) }
            guard try await configuration(tenant).methods.allows(draft.methodKind, for: user) else { throw .methodDisabled(draft.methodKind) }
            let method = try await store.addMethod(draft, upn: upn, tenant: tenant)
            try await audit("register", tenant: tenant, upn: upn, mode: .admin, client: client, actor: .admin, reason: admin)
            return method
        } catch {
            try? await audit("register", tenant: tenant, upn: upn, mode: .admin, client: client, error: error, actor: .admin)
            throw error
        }
    }
}

// MARK: Tenants and users (keybridge admin)

extension RegistrationService {
    /// Creates a tenant with its policies. Audited in the new tenant with actor `admin`.
    public func createTenant(_ tenant: Tenant, configuration: TenantConfiguration, admin: String, client: ClientContext)
        async throws(RegistrationError)
    {
        try await adminAction("tenantAdd", tenant: tenant.id, upn: admin, client: client) { () async throws(RegistrationError) in
            guard Self.isIdentifier(tenant.id) else {
                throw .invalidInput("tenant id \"\(tenant.id)\" must be letters, digits, '.', '-' or '_'")
            }
            guard try await !store.tenants().contains(where: { $0.id == tenant.id }) else { throw .alreadyExists("tenant \(tenant.id)") }
            try await store.save(tenant: tenant)
            try await store.save(configuration: configuration, tenant: tenant.id)
        }
    }

    /// Replaces a tenant's policies (authentication methods, SSPR, the access rule, the relying party).
    public func setConfiguration(_ configuration: TenantConfiguration, tenant: String, admin: String, client: ClientContext)
        async throws(RegistrationError)
    {
        try await adminAction("policyChange", tenant: tenant, upn: admin, client: client) { () async throws(RegistrationError) in
            try await store.save(configuration: configuration, tenant: tenant)
        }
    }

    /// Adds a user; the home tenant and every guest tenant must exist.
    public func addUser(_ user: DirectoryUser, admin: String, client: ClientContext) async throws(RegistrationError) {
        try await adminAction("userAdd", tenant: user.homeTenant, upn: user.upn, client: client, admin: admin) { () async throws(RegistrationError) in
            guard try await store.user(upn: user.upn) == nil else { throw .alreadyExists("user \(user.upn)") }
            try await validate(user)
            try await store.save(user: user)
        }
    }

    /// Replaces a user's directory record (name, tenants, business phone, groups, MFA enforcement).
    public func updateUser(_ user: DirectoryUser, admin: String, client: ClientContext) async throws(RegistrationError) {
        try await adminAction("userChange", tenant: user.homeTenant, upn: user.upn, client: client, admin: admin) { () async throws(RegistrationError) in
            guard try await store.user(upn: user.upn) != nil else { throw .userNotFound(user.upn) }
            try await validate(user)
            try await store.save(user: user)
        }
    }

    private func validate(_ user: DirectoryUser) async throws(RegistrationError) {
        let parts = user.upn.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !user.upn.contains(where: \.isWhitespace) else {
            throw .invalidInput("\"\(user.upn)\" is not a user principal name such as alice@contoso.com")
        }
        guard !user.displayName.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalidInput("the display name of \(user.upn) is empty")
        }
        let tenants = Set(try await store.tenants().map(\.id))
        for tenant in [user.homeTenant] + user.guestTenants where !tenants.contains(tenant) {
            throw .tenantNotFound(tenant)
        }
    }

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || "._-".contains($0) }
    }

    /// Runs an admin change and audits it (actor `admin`, mode `admin`), success or refusal.
    private func adminAction(
        _ action: String, tenant: String, upn: String, client: ClientContext, admin: String? = nil,
        _ body: () async throws(RegistrationError) -> Void
    ) async throws(RegistrationError) {
        do throws(RegistrationError) {
            try await body()
            try await audit(action, tenant: tenant, upn: upn, mode: .admin, client: client, actor: .admin, reason: admin)
        } catch {
            try? await audit(action, tenant: tenant, upn: upn, mode: .admin, client: client, error: error, actor: .admin)
            throw error
        }
    }
}
