import Foundation
import Hummingbird
import KeyBridgeRegistration

/// What sign-in would ask of the user now — interrupt mode's decision (keybridge's own resource):
/// `GET …/authentication/registrationDecision[?resourceRequiresMfa=true]` answers the action
/// (`none`, `register`, `registerSkippable`, `review`), the methods shown by default, the
/// alternatives and, for a review, every registered method; `POST
/// …/registrationDecision/confirmReview` confirms a due review (the user's session, or a `manage`
/// token on their behalf).
struct RegistrationDecisionRoutes {
    let service: RegistrationService

    func register(on group: RouterGroup<APIRequestContext>) {
        for base in ["users/:user/authentication", "me/authentication"] {
            group.get(RouterPath("\(base)/registrationDecision")) { request, context in try await decision(request, context) }
            group.post(RouterPath("\(base)/registrationDecision/confirmReview")) { request, context in try await confirm(request, context) }
            group.refuseMethods(on: RouterPath("\(base)/registrationDecision"), except: [.get])
            group.refuseMethods(on: RouterPath("\(base)/registrationDecision/confirmReview"), except: [.post])
        }
    }

    private func decision(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let flag = request.uri.queryParameters["resourceRequiresMfa"].map(String.init)
        guard flag == nil || flag == "true" || flag == "false" else { throw GraphError.badRequest("resourceRequiresMfa must be true or false.") }
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .read)
        let decision = try await service.interrupt(
            upn: target.user.upn, tenant: target.tenant, client: context.client, resourceRequiresMFA: flag == "true")
        return GraphJSON.response([
            "@keybridge.tenant": target.tenant, "action": decision.action.rawValue,
            "shownMethods": decision.shownMethods.map(\.rawValue), "alternatives": decision.alternatives.map(\.rawValue),
            "reviewMethods": decision.reviewMethods.map(GraphJSON.method),
        ])
    }

    private func confirm(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let target = try await ResolvedUser.resolve(request, context: context, service: service, scope: .manage)
        let decision = try await service.interrupt(upn: target.user.upn, tenant: target.tenant, client: context.client)
        guard decision.action == .review else {
            throw RegistrationError.invalidInput("no review is due for \(target.user.upn) (sign-in decides: \(decision.action.rawValue))")
        }
        try await target.manageSession(service, client: context.client).confirmReview()
        return Response(status: .noContent)
    }
}
