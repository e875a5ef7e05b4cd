import Foundation
import Hummingbird
import KeyBridgeRegistration

/// Reading directory objects in Graph's shapes: a user, the groups they belong to, whether
/// opening their security info needs an MFA proof, and the tenants a token acts in. What an
/// enrollment kiosk (`kiosk` scope) needs to check its operator and greet a new hire; `read`
/// tokens and a signed-in user (for themselves) may read them too.
struct UserRoutes {
    let service: RegistrationService

    func register(on group: RouterGroup<APIRequestContext>) {
        group.get("users/:user") { request, context in try await user(request, context) }
        group.refuseMethods(on: "users/:user", except: [.get])
        for prefix in ["users/:user", "me"] {
            group.get(RouterPath("\(prefix)/memberOf")) { request, context in try await memberOf(request, context) }
            group.get(RouterPath("\(prefix)/authentication/requirements")) { request, context in try await requirements(request, context) }
            group.refuseMethods(on: RouterPath("\(prefix)/memberOf"), except: [.get])
            group.refuseMethods(on: RouterPath("\(prefix)/authentication/requirements"), except: [.get])
        }
        group.get("organization") { request, context in try await organization(request, context) }
        group.refuseMethods(on: "organization", except: [.get])
    }

    /// `GET /users/{id|upn}`: the user (`id`, `userPrincipalName`, `displayName`).
    private func user(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .read, kiosk: true)
        var body = GraphJSON.user(target.user)
        body["@odata.context"] = "\(GraphJSON.context)#users/$entity"
        body["@keybridge.tenant"] = target.tenant
        return GraphJSON.response(body)
    }

    /// `GET /users/{id}/memberOf`: the user's groups as `#microsoft.graph.group` objects (keybridge's
    /// groups are names; the id is derived from the name, stable across servers).
    private func memberOf(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .read, kiosk: true)
        let groups = target.user.groups.sorted().map { name -> [String: Any] in
            ["@odata.type": "#microsoft.graph.group", "id": DirectoryUser.objectID(upn: "group:" + name), "displayName": name]
        }
        return GraphJSON.collection(groups, context: target.context("memberOf"))
    }

    /// `GET /users/{id}/authentication/requirements` (Graph's `strongAuthenticationRequirements`):
    /// `perUserMfaState` is `enforced` when opening the user's security info needs an MFA proof
    /// (an MFA-capable method is registered, or the tenant's access rule demands it), else `disabled`.
    private func requirements(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .read, kiosk: true)
        let enforced = try await service.requiresMFA(upn: target.user.upn, tenant: target.tenant)
        return GraphJSON.response([
            "@odata.context": "\(GraphJSON.context)#\(target.context("authentication/requirements"))/$entity",
            "perUserMfaState": enforced ? "enforced" : "disabled",
        ])
    }

    /// `GET /organization`: the tenants this caller acts in — a token's own tenant, or every tenant
    /// for a token valid in all; a signed-in user's, the one they signed in to.
    private func organization(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let tenants: [Tenant]
        if let signedIn = context.signedIn {
            tenants = try await service.store.tenants().filter { $0.id == signedIn.tenant }
        } else {
            let principal = try context.requirePrincipal()
            tenants = try await service.store.tenants().filter { principal.tenant == nil || $0.id == principal.tenant }
        }
        return GraphJSON.collection(tenants.map { ["id": $0.id, "displayName": $0.name] }, context: "organization")
    }
}
