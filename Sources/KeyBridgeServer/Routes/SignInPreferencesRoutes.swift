import Foundation
import Hummingbird
import KeyBridgeRegistration

/// Graph's `signInPreferences` (beta): the user's default MFA method.
/// `userPreferredMethodForSecondaryAuthentication` names a kind (`push`, `oath`, `sms`); because a
/// user may have two methods of one kind, keybridge adds `@keybridge.defaultMethodId`, which
/// names the method exactly (read, and taken in a `PATCH` before the kind).
struct SignInPreferencesRoutes {
    let service: RegistrationService

    func register(on group: RouterGroup<APIRequestContext>) {
        for path in ["users/:user/authentication/signInPreferences", "me/authentication/signInPreferences"] {
            group.get(RouterPath(path)) { request, context in try await read(request, context) }
            group.patch(RouterPath(path)) { request, context in try await change(request, context) }
            group.refuseMethods(on: RouterPath(path), except: [.get, .patch])
        }
    }

    /// Graph's name for a default-capable kind's way of signing in.
    static func preference(_ kind: MethodKind) -> String? {
        switch kind {
        case .authenticatorApp: "push"
        case .otherAuthenticatorApp, .hardwareToken: "oath"
        case .phone: "sms"
        default: nil
        }
    }

    private func read(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .read)
        let methods = try await service.store.methods(upn: target.user.upn, tenant: target.tenant)
        return GraphJSON.response(Self.body(methods.first(where: \.isDefault), target))
    }

    private func change(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage)
        let body = try await request.decode(as: PreferencesBody.self, context: context)
        let methods = try await service.store.methods(upn: target.user.upn, tenant: target.tenant)
        let chosen: RegisteredMethod
        if let id = body.defaultMethodId {
            guard let method = methods.first(where: { $0.id == id }) else { throw RegistrationError.methodNotFound(id) }
            chosen = method
        } else if let preference = body.userPreferredMethodForSecondaryAuthentication {
            let wanted = preference == "voiceMobile" ? "sms" : preference
            guard let method = methods.first(where: { Self.preference($0.kind) == wanted }) else {
                throw GraphError.badRequest("The user has no method for \(preference); register one first.")
            }
            chosen = method
        } else {
            throw GraphError.badRequest("Send userPreferredMethodForSecondaryAuthentication (push, oath, sms) or @keybridge.defaultMethodId.")
        }
        try await target.manageSession(service, client: context.client).setDefault(methodID: chosen.id)
        var updated = chosen
        updated.isDefault = true
        return GraphJSON.response(Self.body(updated, target))
    }

    private static func body(_ method: RegisteredMethod?, _ target: ResolvedUser) -> [String: Any] {
        [
            "@odata.context": "\(GraphJSON.context)#\(target.context("authentication/signInPreferences"))/$entity",
            "isSystemPreferredAuthenticationMethodEnabled": false,
            "userPreferredMethodForSecondaryAuthentication": method.flatMap { preference($0.kind) } ?? NSNull(),
            "@keybridge.defaultMethodId": method?.id ?? NSNull(),
        ]
    }
}

/// The body of `PATCH …/signInPreferences`.
private struct PreferencesBody: Decodable {
    var userPreferredMethodForSecondaryAuthentication: String?
    var defaultMethodId: String?

    private enum CodingKeys: String, CodingKey {
        case userPreferredMethodForSecondaryAuthentication
        case defaultMethodId = "@keybridge.defaultMethodId"
    }
}
