import Foundation
import Hummingbird
import KeyBridgeWebAuthn
import KeyBridgeRegistration

/// `/users/{id|upn}/authentication/…`: Microsoft Graph's authentication-method resources.
struct AuthenticationMethodsRoutes {
    let service: RegistrationService

    /// Under `/users/{id|upn}/authentication` (API tokens, or a user's own) and `/me/authentication` (a signed-in user).
    func register(on group: RouterGroup<APIRequestContext>) {
        register(group.group("users/:user/authentication"))
        register(group.group("me/authentication"))
    }

    private func register(_ methods: RouterGroup<APIRequestContext>) {
        methods.get("methods") { request, context in try await listMethods(request, context, kinds: nil, type: "methods") }
        for (path, kinds, type) in Self.collections {
            methods.get(RouterPath(path)) { request, context in try await listMethods(request, context, kinds: kinds, type: type) }
        }
        methods.get("fido2Methods") { request, context in
            try await listMethods(request, context, kinds: [.fido2SecurityKey], type: "fido2Methods")
        }
        methods.get("fido2Methods/:item") { request, context in try await fido2Item(request, context) }
        methods.post("fido2Methods") { request, context in try await addFIDO2(request, context) }
        methods.delete("fido2Methods/:item") { request, context in try await deleteFIDO2(request, context) }
        for path in ["methods"] + Self.collections.map(\.0) where !ContactMethodRoutes.paths.contains(path) {
            methods.refuseMethods(on: RouterPath(path), except: [.get])
        }
        methods.refuseMethods(on: "fido2Methods", except: [.get, .post])
        methods.refuseMethods(on: "fido2Methods/:item", except: [.get, .delete])
    }

    /// Read-only collections of one Graph type each.
    static let collections: [(String, Set<MethodKind>, String)] = [
        ("phoneMethods", [.phone, .alternatePhone, .officePhone], "phoneMethods"),
        ("emailMethods", [.email], "emailMethods"),
        ("softwareOathMethods", [.otherAuthenticatorApp], "softwareOathMethods"),
        ("microsoftAuthenticatorMethods", [.authenticatorApp], "microsoftAuthenticatorMethods"),
        ("hardwareOathMethods", [.hardwareToken], "hardwareOathMethods"),
    ]

    private func listMethods(_ request: Request, _ context: APIRequestContext, kinds: Set<MethodKind>?, type: String) async throws
        -> Response
    {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .read)
        // The reads are independent: one round trip's wait instead of three.
        async let stored = service.store.methods(upn: target.user.upn, tenant: target.tenant)
        async let passes = kinds == nil ? service.store.passes(upn: target.user.upn, tenant: target.tenant) : []
        async let configuration = kinds == nil ? service.configuration(target.tenant) : nil
        var items = try await stored.filter { kinds?.contains($0.kind) ?? true }.map(GraphJSON.method)
        if let lifetime = try await configuration?.methods.temporaryAccessPassLifetime {
            items += try await passes.filter { !$0.used && $0.expires > Date() }.map { GraphJSON.temporaryAccessPass($0, lifetime: lifetime) }
        }
        return GraphJSON.collection(items, context: target.context("authentication/\(type)"), tenant: target.tenant)
    }

    /// `fido2Methods/{id}` or `fido2Methods/creationOptions(challengeTimeoutInMinutes={n})`.
    private func fido2Item(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let item = try context.pathParameter("item")
        if item.hasPrefix("creationOptions") { return try await creationOptions(request, context, item: item) }
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .read)
        guard let method = try await service.store.methods(upn: target.user.upn, tenant: target.tenant)
            .first(where: { $0.id == item && $0.kind == .fido2SecurityKey })
        else { throw GraphError.notFound("No FIDO2 method \(item).") }
        var body = GraphJSON.fido2(method)
        body["@odata.context"] = "\(GraphJSON.context)#\(target.context("authentication/fido2Methods"))/$entity"
        return GraphJSON.response(body)
    }

    private func creationOptions(_ request: Request, _ context: APIRequestContext, item: String) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage)
        let minutes = try Self.challengeTimeout(item: item, query: request.uri.queryParameters["challengeTimeoutInMinutes"].map(String.init))
        let session = try await target.manageSession(service, client: context.client)
        let options = try await session.beginFIDO2Registration(challengeLifetime: minutes.map { TimeInterval($0) * 60 })
        return GraphJSON.response(GraphJSON.creationOptions(options))
    }

    /// Graph's function-call form `creationOptions(challengeTimeoutInMinutes=10)` or the query form.
    static func challengeTimeout(item: String, query: String?) throws -> Int? {
        var text = query
        if let open = item.firstIndex(of: "("), item.hasSuffix(")") {
            let arguments = item[item.index(after: open)..<item.index(before: item.endIndex)]
            if !arguments.isEmpty {
                let parts = arguments.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, parts[0] == "challengeTimeoutInMinutes" else {
                    throw GraphError.badRequest("creationOptions takes one parameter, challengeTimeoutInMinutes.")
                }
                text = parts[1]
            }
        } else if item != "creationOptions" {
            throw GraphError.notFound("No FIDO2 method \(item).")
        }
        guard let text else { return nil }
        guard let minutes = Int(text) else { throw GraphError.badRequest("challengeTimeoutInMinutes must be a whole number of minutes.") }
        return minutes
    }

    private func addFIDO2(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage)
        let body = try await request.decode(as: GraphFIDO2Registration.self, context: context)
        let response = try body.registrationResponse()
        let session = try await target.manageSession(service, client: context.client)
        let method = try await session.completeFIDO2Registration(response, friendlyName: body.displayName)
        var json = GraphJSON.fido2(method)
        json["@odata.context"] = "\(GraphJSON.context)#\(target.context("authentication/fido2Methods"))/$entity"
        json["@keybridge.tenant"] = target.tenant
        return GraphJSON.response(json, status: .created)
    }

    private func deleteFIDO2(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage)
        let id = try context.pathParameter("item")
        guard try await service.store.methods(upn: target.user.upn, tenant: target.tenant)
            .contains(where: { $0.id == id && $0.kind == .fido2SecurityKey })
        else { throw GraphError.notFound("No FIDO2 method \(id).") }
        try await target.manageSession(service, client: context.client).delete(methodID: id)
        return Response(status: .noContent)
    }
}

/// The body of `POST …/fido2Methods`: Graph's `{displayName, publicKeyCredential}`.
struct GraphFIDO2Registration: Decodable {
    struct Credential: Decodable {
        struct AttestationResponse: Decodable {
            var clientDataJSON: String
            var attestationObject: String
            var transports: [String]?
        }
        var id: String
        var response: AttestationResponse
        var clientExtensionResults: ClientExtensionResults?
    }

    var displayName: String?
    var publicKeyCredential: Credential

    func registrationResponse() throws -> RegistrationResponseJSON {
        if let displayName, displayName.count > 200 { throw GraphError.badRequest("displayName is longer than 200 characters.") }
        do {
            return try RegistrationResponseJSON(
                id: publicKeyCredential.id, clientDataJSON: publicKeyCredential.response.clientDataJSON,
                attestationObject: publicKeyCredential.response.attestationObject,
                transports: publicKeyCredential.response.transports ?? [],
                clientExtensionResults: publicKeyCredential.clientExtensionResults ?? ClientExtensionResults())
        } catch {
            throw GraphError.badRequest("publicKeyCredential.response.attestationObject cannot be decoded: \(error.description)")
        }
    }
}
