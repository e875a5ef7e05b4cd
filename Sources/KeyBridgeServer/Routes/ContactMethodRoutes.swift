import Foundation
import Hummingbird
import KeyBridgeRegistration

/// Graph's typed method collections beyond the list: an admin adds a user's phone number or e-mail
/// address (`POST …/phoneMethods`, `…/emailMethods`, as Entra's admins can, without a code); anyone
/// who may manage the user reads or deletes one method of any collection (`…/{collection}/{id}`:
/// phones, e-mail, software and Microsoft Authenticator apps, hardware tokens). A signed-in user
/// adds their own contacts on the security-info page, where a code proves them; the JSON API does
/// not take unverified contacts from users.
struct ContactMethodRoutes {
    let service: RegistrationService

    static let paths = ["phoneMethods", "emailMethods"]

    func register(on group: RouterGroup<APIRequestContext>) {
        for base in ["users/:user/authentication", "me/authentication"] {
            let methods = group.group(RouterPath(base))
            methods.post("phoneMethods") { request, context in try await addPhone(request, context) }
            methods.post("emailMethods") { request, context in try await addEmail(request, context) }
            for path in Self.paths { methods.refuseMethods(on: RouterPath(path), except: [.get, .post]) }
            for (path, _, _) in AuthenticationMethodsRoutes.collections {
                methods.get(RouterPath("\(path)/:item")) { request, context in try await read(request, context, path: path) }
                methods.delete(RouterPath("\(path)/:item")) { request, context in try await delete(request, context, path: path) }
                methods.refuseMethods(on: RouterPath("\(path)/:item"), except: [.get, .delete])
            }
        }
    }

    static func kinds(_ path: String) -> Set<MethodKind> { AuthenticationMethodsRoutes.collections.first { $0.0 == path }?.1 ?? [] }

    /// The phone kind of Graph's `phoneType`.
    static func phoneKind(_ phoneType: String) -> MethodKind? {
        switch phoneType {
        case "mobile": .phone
        case "alternateMobile": .alternatePhone
        case "office": .officePhone
        default: nil
        }
    }

    /// How a refusal names a method of the collection at `path`.
    static func noun(_ path: String) -> String {
        switch path {
        case "emailMethods": "e-mail"
        case "phoneMethods": "phone"
        case "hardwareOathMethods": "hardware token"
        default: "authenticator app"
        }
    }

    private func addPhone(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage, selfService: false)
        let body = try await request.decode(as: PhoneBody.self, context: context)
        guard let phoneKind = Self.phoneKind(body.phoneType ?? "mobile"), let kind = MethodDraft.Kind(phoneKind) else {
            throw GraphError.badRequest("phoneType must be mobile, alternateMobile or office.")
        }
        let number = body.phoneNumber.trimmingCharacters(in: .whitespaces)
        guard number.hasPrefix("+"), (4...32).contains(number.count),
            number.dropFirst().allSatisfy({ $0.isNumber || $0 == " " || $0 == "-" })
        else { throw GraphError.badRequest("phoneNumber must be an international number, e.g. +1 2065555555.") }
        return try await add(MethodDraft(kind: kind, displayValue: number), target, context, path: "phoneMethods")
    }

    private func addEmail(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage, selfService: false)
        let body = try await request.decode(as: EmailBody.self, context: context)
        let address = body.emailAddress.trimmingCharacters(in: .whitespaces)
        let parts = address.split(separator: "@")
        guard address.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !address.contains(" ") else {
            throw GraphError.badRequest("emailAddress must be an e-mail address, e.g. alice@example.org.")
        }
        return try await add(MethodDraft(kind: .email, displayValue: address), target, context, path: "emailMethods")
    }

    private func add(_ draft: MethodDraft, _ target: ResolvedUser, _ context: APIRequestContext, path: String) async throws -> Response {
        let method = try await service.adminAddContact(
            draft, upn: target.user.upn, tenant: target.tenant, admin: try target.adminName(), client: context.client)
        var json = GraphJSON.method(method)
        json["@odata.context"] = "\(GraphJSON.context)#\(target.context("authentication/\(path)"))/$entity"
        return GraphJSON.response(json, status: .created)
    }

    private func read(_ request: Request, _ context: APIRequestContext, path: String) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .read)
        let id = try context.pathParameter("item")
        guard let method = try await service.store.methods(upn: target.user.upn, tenant: target.tenant)
            .first(where: { $0.id == id && Self.kinds(path).contains($0.kind) })
        else { throw GraphError.notFound("No \(Self.noun(path)) method \(id).") }
        var json = GraphJSON.method(method)
        json["@odata.context"] = "\(GraphJSON.context)#\(target.context("authentication/\(path)"))/$entity"
        return GraphJSON.response(json)
    }

    private func delete(_ request: Request, _ context: APIRequestContext, path: String) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage)
        let id = try context.pathParameter("item")
        guard try await service.store.methods(upn: target.user.upn, tenant: target.tenant)
            .contains(where: { $0.id == id && Self.kinds(path).contains($0.kind) })
        else { throw GraphError.notFound("No \(Self.noun(path)) method \(id).") }
        try await target.manageSession(service, client: context.client).delete(methodID: id)
        return Response(status: .noContent)
    }
}

/// `POST …/phoneMethods`: Graph's `{phoneNumber, phoneType}`.
private struct PhoneBody: Decodable {
    var phoneNumber: String
    var phoneType: String?
}

/// `POST …/emailMethods`: Graph's `{emailAddress}`.
private struct EmailBody: Decodable {
    var emailAddress: String
}
