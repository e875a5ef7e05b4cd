import Foundation
import Hummingbird
import KeyBridgeRegistration
import KeyBridgeWebAuthn

/// A user's sign-in (keybridge's own resources; Graph has none for this): WebAuthn request options
/// for a key, then `POST /auth/signIn` with one MFA proof opens a session whose token the user
/// sends as `Authorization: Bearer kbs_…` to `/me/…`; `POST /auth/signOut` ends it everywhere.
struct SignInRoutes {
    let service: RegistrationService
    let sessions: UserSessionPolicy

    /// The open routes (no token yet).
    func registerOpen(on group: RouterGroup<APIRequestContext>) {
        group.post("auth/signIn/fido2Options") { request, context in try await fido2Options(request, context) }
        group.post("auth/signIn") { request, context in try await signIn(request, context) }
        group.refuseMethods(on: "auth/signIn/fido2Options", except: [.post])
        group.refuseMethods(on: "auth/signIn", except: [.post])
    }

    /// The routes behind the bearer token.
    func registerAuthenticated(on group: RouterGroup<APIRequestContext>) {
        group.post("auth/signOut") { request, context in try await signOut(request, context) }
        group.get("me") { request, context in try await me(request, context) }
        group.refuseMethods(on: "auth/signOut", except: [.post])
        group.refuseMethods(on: "me", except: [.get])
        for path in ["users/:user/revokeSignInSessions", "me/revokeSignInSessions"] {
            group.post(RouterPath(path)) { request, context in try await revoke(request, context) }
            group.refuseMethods(on: RouterPath(path), except: [.post])
        }
    }

    private func fido2Options(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let body = try await request.decode(as: SignInUser.self, context: context)
        let tenant = try await body.tenant(service)
        let options = try await service.fido2SignInOptions(upn: body.userPrincipalName, tenant: tenant)
        let lifetime = try await service.configuration(tenant).challengeLifetime
        return GraphJSON.response([
            "@keybridge.origin": options.origin, "@keybridge.tenant": tenant,
            "publicKey": GraphJSON.requestOptions(options, timeout: lifetime),
        ])
    }

    private func signIn(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let body = try await request.decode(as: SignInRequest.self, context: context)
        let tenant = try await body.user.tenant(service)
        let (token, session) = try await service.openUserSession(
            upn: body.user.userPrincipalName, tenant: tenant, client: context.client, proof: try body.proof(),
            userAgent: request.headers[.userAgent], policy: sessions)
        return GraphJSON.response(Self.sessionJSON(session, token: token), status: .created)
    }

    private func signOut(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        guard context.signedIn != nil, let header = request.headers[.authorization] else {
            throw GraphError.badRequest("Sign-out ends a user's session; this request carries an API token.")
        }
        try await service.closeUserSession(token: String(header.dropFirst("bearer ".count)), client: context.client)
        return Response(status: .noContent)
    }

    /// Graph's `revokeSignInSessions`: every session of the user in the tenant ends, on every server.
    private func revoke(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage)
        let (actor, name): (AuditEvent.Actor, String) = switch target.caller {
        case .token(let principal): (.admin, "token:\(principal.name)")
        case .user(let signedIn): (.user, signedIn.upn)
        }
        try await service.revokeUserSessions(upn: target.user.upn, tenant: target.tenant, actor: actor, by: name, client: context.client)
        return GraphJSON.response(["@odata.context": "\(GraphJSON.context)#Edm.Boolean", "value": true])
    }

    private func me(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        guard let signedIn = context.signedIn else {
            throw GraphError.badRequest("/me is a signed-in user's (POST /auth/signIn); with an API token, name the user: /users/{id}.")
        }
        var body = GraphJSON.user(signedIn.user)
        body["@odata.context"] = "\(GraphJSON.context)#users/$entity"
        body["@keybridge.tenant"] = signedIn.tenant
        body["@keybridge.sessionExpiresDateTime"] = GraphJSON.dateTime(signedIn.idleExpires)
        return GraphJSON.response(body)
    }

    static func sessionJSON(_ session: SignedInUser, token: String) -> [String: Any] {
        [
            "sessionToken": token,
            "tenant": session.tenant,
            "expiresDateTime": GraphJSON.dateTime(session.expires),
            "idleExpiresDateTime": GraphJSON.dateTime(session.idleExpires),
            "user": GraphJSON.user(session.user),
        ]
    }
}

/// Who signs in: a user principal name and, optionally, the tenant (the user's home tenant when absent).
struct SignInUser: Decodable {
    var userPrincipalName: String
    var tenant: String?

    func tenant(_ service: RegistrationService) async throws -> String {
        guard userPrincipalName.count <= 256, userPrincipalName.contains("@") else {
            throw GraphError.badRequest("userPrincipalName must be a user principal name such as alice@contoso.com.")
        }
        return try await service.signInTenant(upn: userPrincipalName, chosen: tenant)
    }
}

/// The body of `POST /auth/signIn`: the user and exactly one proof.
struct SignInRequest: Decodable {
    var user: SignInUser
    var temporaryAccessPass: String?
    var oneTimeCode: String?
    /// The authenticator app or hardware token the code is from; any of the user's when absent.
    var methodId: String?
    var publicKeyCredential: AssertionCredential?

    private enum CodingKeys: String, CodingKey { case temporaryAccessPass, oneTimeCode, methodId, publicKeyCredential }

    init(from decoder: any Decoder) throws {
        user = try SignInUser(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        temporaryAccessPass = try container.decodeIfPresent(String.self, forKey: .temporaryAccessPass)
        oneTimeCode = try container.decodeIfPresent(String.self, forKey: .oneTimeCode)
        methodId = try container.decodeIfPresent(String.self, forKey: .methodId)
        publicKeyCredential = try container.decodeIfPresent(AssertionCredential.self, forKey: .publicKeyCredential)
    }

    func proof() throws -> MFAProof {
        switch (temporaryAccessPass, oneTimeCode, publicKeyCredential) {
        case (let pass?, nil, nil):
            guard pass.count <= 128 else { throw GraphError.badRequest("temporaryAccessPass is longer than any pass.") }
            return .temporaryAccessPass(pass)
        case (nil, let code?, nil):
            guard code.count <= 10 else { throw GraphError.badRequest("oneTimeCode is longer than any code.") }
            return .oneTimeCode(methodID: methodId, code: code)
        case (nil, nil, let credential?):
            return .fido2Assertion(credential.authenticationResponse())
        default:
            throw GraphError.badRequest("Send exactly one proof: temporaryAccessPass, oneTimeCode (with methodId) or publicKeyCredential.")
        }
    }
}

/// A browser's `PublicKeyCredential.toJSON()` of an assertion (members a browser may omit are optional).
struct AssertionCredential: Decodable {
    struct Response: Decodable {
        var clientDataJSON: String
        var authenticatorData: String
        var signature: String
        var userHandle: String?
    }
    var id: String
    var rawId: String?
    var type: String?
    var response: Response
    var authenticatorAttachment: String?

    func authenticationResponse() -> AuthenticationResponseJSON {
        AuthenticationResponseJSON(
            id: id, rawId: rawId ?? id, type: type ?? "public-key",
            response: .init(
                clientDataJSON: response.clientDataJSON, authenticatorData: response.authenticatorData, signature: response.signature,
                userHandle: response.userHandle),
            authenticatorAttachment: authenticatorAttachment ?? "cross-platform", clientExtensionResults: ClientExtensionResults())
    }
}
