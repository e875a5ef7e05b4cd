import Foundation
import Hummingbird
import KeyBridgeRegistration

/// Methods a user proves before they are added, over the JSON API (keybridge's own resources:
/// Graph adds phones and e-mail without a code and has no authenticator-app registration):
/// - `POST …/phoneMethods/verifications {phoneNumber, phoneType}` and
///   `POST …/emailMethods/verifications {emailAddress}` send a code through the server's delivery
///   and answer 202 with the step's `id`; `POST …/{collection}/verifications/{id}/complete {code}`
///   adds the method when the code is the one sent.
/// - `POST …/softwareOathMethods/registrations {displayName}` (and `microsoftAuthenticatorMethods`)
///   answer 202 with the step's `id` and the app's `otpauthUri` (its secret, shown this once);
///   `POST …/registrations/{id}/complete {code}` adds the app when the code is its current one.
///
/// The steps live in the directory, so any server sharing it can finish them. A wrong code answers
/// the refusal with `innerError.@keybridge.retryId`: the step, pending again under a new id. Who may
/// call: the user's own session, or a `manage` token on their behalf — the code still has to come
/// from the phone, address or app. The same manage-mode rules as the pages (``ManageSession``).
struct VerifiedStepRoutes {
    let service: RegistrationService
    let delivery: (any CodeDelivery)?

    static let contacts = ["phoneMethods", "emailMethods"]
    static let apps: [String: MethodKind] = ["softwareOathMethods": .otherAuthenticatorApp, "microsoftAuthenticatorMethods": .authenticatorApp]

    func register(on group: RouterGroup<APIRequestContext>) {
        for base in ["users/:user/authentication", "me/authentication"] {
            for collection in Self.contacts {
                let steps = "\(base)/\(collection)/verifications"
                group.post(RouterPath(steps)) { request, context in try await beginContact(request, context, collection: collection) }
                group.post(RouterPath("\(steps)/:step/complete")) { request, context in try await completeContact(request, context) }
                group.refuseMethods(on: RouterPath(steps), except: [.post])
                group.refuseMethods(on: RouterPath("\(steps)/:step/complete"), except: [.post])
            }
            for (collection, kind) in Self.apps {
                let steps = "\(base)/\(collection)/registrations"
                group.post(RouterPath(steps)) { request, context in try await beginApp(request, context, kind: kind) }
                group.post(RouterPath("\(steps)/:step/complete")) { request, context in try await completeApp(request, context) }
                group.refuseMethods(on: RouterPath(steps), except: [.post])
                group.refuseMethods(on: RouterPath("\(steps)/:step/complete"), except: [.post])
            }
        }
    }

    private func beginContact(_ request: Request, _ context: APIRequestContext, collection: String) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage)
        let body = try await request.decode(as: ContactBody.self, context: context)
        let kind: MethodKind
        let destination: String
        if collection == "emailMethods" {
            (kind, destination) = (.email, body.emailAddress ?? "")
        } else {
            guard let phoneKind = ContactMethodRoutes.phoneKind(body.phoneType ?? "mobile") else {
                throw GraphError.badRequest("phoneType must be mobile, alternateMobile or office.")
            }
            (kind, destination) = (phoneKind, body.phoneNumber ?? "")
        }
        let trimmed = destination.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 254 else {
            throw GraphError.badRequest(collection == "emailMethods" ? "Send emailAddress." : "Send phoneNumber.")
        }
        guard let delivery else { throw RegistrationError.methodDisabled(kind) }
        let manage = try await target.manageSession(service, client: context.client)
        let id = try await manage.beginContactStep(kind, destination: trimmed, delivery: delivery, catalog: MessageCatalog(language: "en"))
        return GraphJSON.response(
            ["id": id, "@keybridge.kind": kind.rawValue, "destination": trimmed, "expiresDateTime": GraphJSON.dateTime(Self.expiry())],
            status: .accepted)
    }

    private func completeContact(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage)
        let code = try await request.decode(as: CodeBody.self, context: context).code
        let manage = try await target.manageSession(service, client: context.client)
        let id = try context.pathParameter("step")
        return try await Self.created(target) { () async throws(PendingStepError) in try await manage.completeContactStep(id: id, code: code) }
    }

    private func beginApp(_ request: Request, _ context: APIRequestContext, kind: MethodKind) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage)
        let body = try await request.decode(as: AppBody.self, context: context)
        let label = (body.displayName ?? "Authenticator app").trimmingCharacters(in: .whitespaces)
        guard !label.isEmpty, label.count <= 64 else { throw GraphError.badRequest("displayName must be 1 to 64 characters.") }
        let manage = try await target.manageSession(service, client: context.client)
        let (id, app) = try await manage.beginAuthenticatorAppStep(kind: kind, label: label)
        return GraphJSON.response(
            [
                "id": id, "@keybridge.kind": kind.rawValue, "displayName": label, "otpauthUri": app.otpauthURI,
                "requiresPasswordlessSignInInApp": app.requiresPasswordlessSignInInApp, "expiresDateTime": GraphJSON.dateTime(Self.expiry()),
            ], status: .accepted)
    }

    private func completeApp(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage)
        let code = try await request.decode(as: CodeBody.self, context: context).code
        let manage = try await target.manageSession(service, client: context.client)
        let id = try context.pathParameter("step")
        return try await Self.created(target) { () async throws(PendingStepError) in
            try await manage.completeAuthenticatorAppStep(id: id, code: code)
        }
    }

    /// 201 with the added method, or the refusal with the step's new id for another try.
    private static func created(_ target: ResolvedUser, _ complete: () async throws(PendingStepError) -> RegisteredMethod) async throws
        -> Response
    {
        do throws(PendingStepError) {
            var json = GraphJSON.method(try await complete())
            json["@keybridge.tenant"] = target.tenant
            return GraphJSON.response(json, status: .created)
        } catch {
            var refusal = GraphError(stepRefusal: error.refusal)
            refusal.retryID = error.retryID
            throw refusal
        }
    }

    private static func expiry() -> Date { Date().addingTimeInterval(ManageSession.pendingLifetime) }
}

private struct ContactBody: Decodable {
    var phoneNumber: String?
    var phoneType: String?
    var emailAddress: String?
}

private struct AppBody: Decodable {
    var displayName: String?
}

private struct CodeBody: Decodable {
    var code: String
}
