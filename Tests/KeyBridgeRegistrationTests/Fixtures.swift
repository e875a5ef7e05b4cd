import Foundation
import KeyBridgeFIDO
import KeyBridgeRegistration

/// A small directory: tenant "contoso" (home) and "fabrikam" (resource), policies as the seed's
/// example describes (SSPR needs two; authenticator app, e-mail and phone enabled).
enum Directory {
    static func configuration(
        enabled: [MethodKind] = [.authenticatorApp, .email, .phone], ssprRequired: Int = 2,
        ssprMethods: Set<MethodKind> = [.authenticatorApp, .email, .phone], requireRegistration: Bool = true,
        access: RegistrationAccessRule = openFirstRegistration
    ) -> TenantConfiguration {
        var targets: [MethodKind: PolicyTarget] = [:]
        for kind in enabled { targets[kind] = PolicyTarget() }
        return TenantConfiguration(
            methods: AuthenticationMethodsPolicy(enabled: targets),
            sspr: SSPRPolicy(
                scope: .all, methodsRequired: ssprRequired, allowedMethods: ssprMethods,
                requireRegistrationAtSignIn: requireRegistration),
            access: access, relyingParty: RelyingParty(id: "example.com", name: "Example"), origin: "https://example.com")
    }

    static func service(
        _ configuration: TenantConfiguration = configuration(), resource: TenantConfiguration? = nil,
        users: [DirectoryUser] = [alice]
    ) async throws -> RegistrationService {
        let store = try SQLiteRegistrationStore()
        try await store.save(tenant: Tenant(id: "contoso", name: "Contoso"))
        try await store.save(tenant: Tenant(id: "fabrikam", name: "Fabrikam"))
        for user in users { try await store.save(user: user) }
        return RegistrationService(
            store: store, configurations: ["contoso": configuration, "fabrikam": resource ?? configuration])
    }

    static let alice = DirectoryUser(
        upn: "alice@contoso.com", displayName: "Alice", homeTenant: "contoso", guestTenants: ["fabrikam"],
        businessPhone: nil, groups: ["staff"], mfaEnforcement: .identityProtection)

    static let office = ClientContext(address: "10.1.2.3")

    /// Most tests here are about other rules than the gate's first registration, so their tenant
    /// lets a user with no method in without a pass. The default (a pass is needed) is tested in
    /// `FirstRegistrationGateTests`, which builds its rules itself.
    static let openFirstRegistration = RegistrationAccessRule(allowFirstRegistrationWithoutProof: true)
}
