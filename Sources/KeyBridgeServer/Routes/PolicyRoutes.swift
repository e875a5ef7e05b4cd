import Foundation
import Hummingbird
import KeyBridgeRegistration

/// `/policies/authenticationMethodsPolicy`: the tenant's authentication-methods policy in Graph's
/// shape (read only: admins change policies with `keybridge admin policy set`).
struct PolicyRoutes {
    let service: RegistrationService

    func register(on group: RouterGroup<APIRequestContext>) {
        group.get("policies/authenticationMethodsPolicy") { request, context in try await policy(request, context) }
        group.refuseMethods(on: "policies/authenticationMethodsPolicy", except: [.get])
    }

    private func policy(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let tenant = request.uri.queryParameters["tenant"].map(String.init) ?? principal.tenant else {
            throw GraphError.badRequest("This token is valid in every tenant: name one with ?tenant=.")
        }
        guard principal.allows(.read, in: tenant) else {
            throw GraphError.forbidden("The API token \(principal.name) lacks the read scope in tenant \(tenant).")
        }
        let methods = try await service.configuration(tenant).methods
        return GraphJSON.response(GraphPolicyJSON.policy(methods, tenant: tenant))
    }
}

/// Graph's `authenticationMethodsPolicy` for a tenant's ``AuthenticationMethodsPolicy``.
enum GraphPolicyJSON {
    /// Graph's configuration ids and types for each of keybridge's method kinds (several kinds
    /// share Graph's phone configurations).
    static let configurations: [(id: String, type: String, kinds: [MethodKind])] = [
        ("Fido2", "fido2AuthenticationMethodConfiguration", [.fido2SecurityKey]),
        ("MicrosoftAuthenticator", "microsoftAuthenticatorAuthenticationMethodConfiguration", [.authenticatorApp]),
        ("SoftwareOath", "softwareOathAuthenticationMethodConfiguration", [.otherAuthenticatorApp]),
        ("HardwareOath", "hardwareOathAuthenticationMethodConfiguration", [.hardwareToken]),
        ("Sms", "smsAuthenticationMethodConfiguration", [.phone]),
        ("Voice", "voiceAuthenticationMethodConfiguration", [.alternatePhone, .officePhone]),
        ("Email", "emailAuthenticationMethodConfiguration", [.email]),
    ]

    static func policy(_ methods: AuthenticationMethodsPolicy, tenant: String) -> [String: Any] {
        var items = configurations.map { entry -> [String: Any] in
            let target = entry.kinds.lazy.compactMap { methods.enabled[$0] }.first
            var item: [String: Any] = [
                "@odata.type": "#microsoft.graph.\(entry.type)", "id": entry.id, "state": target == nil ? "disabled" : "enabled",
                "includeTargets": target.map(includeTargets) ?? [], "excludeTargets": target.map(excludeTargets) ?? [],
            ]
            if entry.id == "Fido2" {
                let settings = methods.fido2
                let (enforced, type, aaguids): (Bool, String, [String]) =
                    switch settings.restriction {
                    case .none: (false, "block", [])
                    case .allow(let list): (true, "allow", list)
                    case .block(let list): (true, "block", list)
                    }
                item["isSelfServiceRegistrationAllowed"] = settings.selfServiceSetup
                item["isAttestationEnforced"] = settings.enforceAttestation
                item["keyRestrictions"] = ["isEnforced": enforced, "enforcementType": type, "aaGuids": aaguids]
            }
            if entry.id == "Voice" { item["state"] = methods.voiceCallsEnabled && target != nil ? "enabled" : "disabled" }
            return item
        }
        items.append([
            "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration", "id": "TemporaryAccessPass",
            "state": "enabled", "defaultLifetimeInMinutes": Int((methods.temporaryAccessPassLifetime / 60).rounded()),
            "isUsableOnce": methods.temporaryAccessPassOneTime, "includeTargets": [], "excludeTargets": [],
        ])
        return [
            "@odata.context": "\(GraphJSON.context)#policies/authenticationMethodsPolicy/$entity", "id": "authenticationMethodsPolicy",
            "displayName": "Authentication Methods Policy", "description": "The authentication methods policy of tenant \(tenant)",
            "authenticationMethodConfigurations": items,
        ]
    }

    private static func includeTargets(_ target: PolicyTarget) -> [[String: Any]] {
        target.allUsers
            ? [["targetType": "group", "id": "all_users"]] : target.groups.map { ["targetType": "group", "id": $0] }
    }

    private static func excludeTargets(_ target: PolicyTarget) -> [[String: Any]] {
        target.excludedGroups.map { ["targetType": "group", "id": $0] }
    }
}
