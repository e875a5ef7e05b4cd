import Foundation
import Hummingbird
import KeyBridgeRegistration

/// Who is calling: an admin's (or kiosk's) API token, or a user signed in with MFA.
enum Caller {
    case token(APIPrincipal)
    case user(SignedInUser)
}

/// The user a `/users/{id|userPrincipalName}/…` or `/me/…` path names, and the tenant the request
/// acts in. For an API token: `?tenant=` (a keybridge extension for tokens valid in every tenant),
/// else the token's tenant, else the user's home tenant. A signed-in user reaches only their own
/// resources, in the tenant they signed in to.
struct ResolvedUser {
    var user: DirectoryUser
    var tenant: String
    var caller: Caller

    /// - Parameters:
    ///   - selfService: whether a signed-in user may do this to themselves (reading and managing
    ///     methods: yes; issuing themselves a Temporary Access Pass: no).
    ///   - kiosk: whether a `kiosk` token may do it too (what an enrollment kiosk needs: read a
    ///     new hire and their sign-in requirement, issue them a pass).
    static func resolve(
        _ request: Request, context: APIRequestContext, service: RegistrationService, scope: APIScope, selfService: Bool = true,
        kiosk: Bool = false
    ) async throws -> ResolvedUser {
        let key = context.parameters.get("user").map { $0.removingPercentEncoding ?? $0 }
        if let signedIn = context.signedIn {
            guard selfService else { throw GraphError.forbidden("This operation needs an admin's API token; a user cannot do it to themselves.") }
            if let key, key.lowercased() != signedIn.upn.lowercased(), key.lowercased() != signedIn.user.objectID {
                throw GraphError.forbidden("A signed-in user reaches only their own security info (/me).")
            }
            if let tenant = request.uri.queryParameters["tenant"], tenant != signedIn.tenant {
                throw GraphError.forbidden("The session was opened in tenant \(signedIn.tenant); sign in to \(tenant) to act there.")
            }
            return ResolvedUser(user: signedIn.user, tenant: signedIn.tenant, caller: .user(signedIn))
        }
        let principal = try context.requirePrincipal()
        guard let key else {
            throw GraphError.badRequest("/me is a signed-in user's (POST /auth/signIn); with an API token, name the user: /users/{id|userPrincipalName}.")
        }
        let user = key.contains("@") ? try await service.store.user(upn: key) : try await service.store.user(objectID: key)
        guard let user else { throw GraphError.notFound("No user \(key).") }
        let tenant = request.uri.queryParameters["tenant"].map(String.init) ?? principal.tenant ?? user.homeTenant
        guard user.isMember(of: tenant) else { throw GraphError.notFound("No user \(key) in tenant \(tenant).") }
        guard principal.allows(scope, in: tenant) || (kiosk && principal.allows(.kiosk, in: tenant)) else {
            throw GraphError.forbidden("The API token \(principal.name) lacks the \(scope.rawValue) scope in tenant \(tenant).")
        }
        return ResolvedUser(user: user, tenant: tenant, caller: .token(principal))
    }

    /// The security-info page for this request: the user's own (their session stands for the MFA
    /// proof), or one opened on the user's behalf by an API token (audited with its name).
    func manageSession(_ service: RegistrationService, client: ClientContext) async throws -> ManageSession {
        switch caller {
        case .user(let signedIn): try await ManageSession.open(service, signedIn: signedIn, client: client)
        case .token(let principal): try await ManageSession.open(service, onBehalfOf: principal, upn: user.upn, tenant: tenant, client: client)
        }
    }

    /// How the audit log names an admin acting through an API token.
    func adminName() throws -> String {
        guard case .token(let principal) = caller else { throw GraphError.forbidden("This operation needs an admin's API token.") }
        return "token:\(principal.name)"
    }

    /// The path Graph's `@odata.context` names for this user's `segment` (`me/…` for a user's session).
    func context(_ segment: String) -> String {
        switch caller {
        case .user: "me/\(segment)"
        case .token: "users('\(user.objectID)')/\(segment)"
        }
    }
}
