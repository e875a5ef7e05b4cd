import Foundation
import Hummingbird
import KeyBridgeRegistration

/// The user a `/users/{id|userPrincipalName}/…` path names, and the tenant the request acts in:
/// `?tenant=` (a keybridge extension for tokens valid in every tenant), else the token's tenant,
/// else the user's home tenant.
struct ResolvedUser {
    var user: DirectoryUser
    var tenant: String
    var principal: APIPrincipal

    static func resolve(
        _ request: Request, context: APIRequestContext, service: RegistrationService, scope: APIScope
    ) async throws -> ResolvedUser {
        let principal = try context.requirePrincipal()
        let key = try context.pathParameter("user")
        let user: DirectoryUser?
        if key.contains("@") {
            user = try await service.store.user(upn: key)
        } else {
            // Object ids are derived from UPNs: find the member of the token's tenant with this id.
            user = try await service.store.users(tenant: principal.tenant).first { $0.objectID == key.lowercased() }
        }
        guard let user else { throw GraphError.notFound("No user \(key).") }
        let tenant = request.uri.queryParameters["tenant"].map(String.init) ?? principal.tenant ?? user.homeTenant
        guard user.isMember(of: tenant) else { throw GraphError.notFound("No user \(key) in tenant \(tenant).") }
        guard principal.allows(scope, in: tenant) else {
            throw GraphError.forbidden("The API token \(principal.name) lacks the \(scope.rawValue) scope in tenant \(tenant).")
        }
        return ResolvedUser(user: user, tenant: tenant, principal: principal)
    }

    /// A manage session opened on the user's behalf (audited with the token's name).
    func manageSession(_ service: RegistrationService, client: ClientContext) async throws -> ManageSession {
        try await ManageSession.open(service, onBehalfOf: principal, upn: user.upn, tenant: tenant, client: client)
    }
}
